/* Loops over PDFium calls, in C.
 *
 * Reading a table's characters costs one PDFium call per character per property; from
 * Python (ctypes) each call costs ~0.7 us against ~20 ns here. PDFium is not linked: the
 * caller passes the addresses of pypdfium2's own PDFium functions, so this module has no
 * build dependency beyond Python's headers. The pure-Python reading in
 * extract/ingest/pdfium_loops.py gives the same arrays, and is used where this module
 * was not built (tests/test_ruled.py checks that the two agree).
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <stdint.h>

typedef struct {
    float left, top, right, bottom; /* PDFium's FS_RECTF */
} rectf;

typedef int (*loose_box_fn)(void *textpage, int index, rectf *rect);
typedef void *(*text_object_fn)(void *textpage, int index);
typedef int (*is_generated_fn)(void *textpage, int index);

/* chars(textpage, count, loose_box, text_object, is_generated)
 *   -> (boxes: float32 [count][4] as left, top, right, bottom;
 *       objects: uint64 [count]; generated: int8 [count])
 * A character whose box cannot be read keeps the box before it, as one FS_RECTF reused
 * from Python would. */
static PyObject *chars(PyObject *self, PyObject *args) {
    unsigned long long textpage, box_address, object_address, generated_address;
    int count;
    if (!PyArg_ParseTuple(args, "KiKKK", &textpage, &count, &box_address, &object_address,
                          &generated_address))
        return NULL;
    if (count < 0 || !textpage || !box_address || !object_address || !generated_address) {
        PyErr_SetString(PyExc_ValueError, "chars: a null text page or function, or a negative count");
        return NULL;
    }
    loose_box_fn loose_box = (loose_box_fn)(uintptr_t)box_address;
    text_object_fn text_object = (text_object_fn)(uintptr_t)object_address;
    is_generated_fn is_generated = (is_generated_fn)(uintptr_t)generated_address;
    void *page = (void *)(uintptr_t)textpage;

    PyObject *boxes = PyBytes_FromStringAndSize(NULL, (Py_ssize_t)count * 4 * sizeof(float));
    PyObject *objects = PyBytes_FromStringAndSize(NULL, (Py_ssize_t)count * sizeof(uint64_t));
    PyObject *generated = PyBytes_FromStringAndSize(NULL, (Py_ssize_t)count);
    if (!boxes || !objects || !generated) {
        Py_XDECREF(boxes);
        Py_XDECREF(objects);
        Py_XDECREF(generated);
        return NULL;
    }
    float *box_out = (float *)PyBytes_AS_STRING(boxes);
    uint64_t *object_out = (uint64_t *)PyBytes_AS_STRING(objects);
    int8_t *generated_out = (int8_t *)PyBytes_AS_STRING(generated);
    rectf rect = {0.0f, 0.0f, 0.0f, 0.0f};
    for (int i = 0; i < count; i++) {
        loose_box(page, i, &rect);
        box_out[4 * i] = rect.left;
        box_out[4 * i + 1] = rect.top;
        box_out[4 * i + 2] = rect.right;
        box_out[4 * i + 3] = rect.bottom;
        object_out[i] = (uint64_t)(uintptr_t)text_object(page, i);
        generated_out[i] = (int8_t)is_generated(page, i);
    }
    return Py_BuildValue("(NNN)", boxes, objects, generated);
}

static PyMethodDef methods[] = {
    {"chars", chars, METH_VARARGS, "Every character's loose box, text object and generated flag."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "_pdfium_loops", NULL, -1, methods};

PyMODINIT_FUNC PyInit__pdfium_loops(void) { return PyModule_Create(&module); }

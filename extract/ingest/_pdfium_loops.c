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
#include <stdlib.h>
#include <math.h>
#include <string.h>

/* PDFium's exports use the standard calling convention on 32-bit Windows (fpdfview.h). */
#if defined(_WIN32) && !defined(_WIN64)
#define FPDF_CALLCONV __stdcall
#else
#define FPDF_CALLCONV
#endif

typedef struct {
    float left, top, right, bottom; /* PDFium's FS_RECTF */
} rectf;

/* Uninitialised bytes objects of the given sizes: all of them, or none (-1, with the
 * exception set). */
static int new_outputs(int n, PyObject **out, const Py_ssize_t *sizes) {
    for (int k = 0; k < n; k++) {
        out[k] = PyBytes_FromStringAndSize(NULL, sizes[k]);
        if (!out[k]) {
            for (int j = 0; j < k; j++) Py_CLEAR(out[j]);
            return -1;
        }
    }
    return 0;
}

/* A growing array's memory with room for twice as many items (256 at first): NULL when
 * memory ran out (the array is left as it was), else `*size` is the new count. Freed with
 * PyMem_Free. */
static void *grown(void *data, Py_ssize_t *size, size_t item) {
    Py_ssize_t more = *size ? 2 * *size : 256;
    void *out = PyMem_Realloc(data, (size_t)more * item);
    if (out) *size = more;
    return out;
}

typedef int (FPDF_CALLCONV *loose_box_fn)(void *textpage, int index, rectf *rect);
typedef void *(FPDF_CALLCONV *text_object_fn)(void *textpage, int index);
typedef int (FPDF_CALLCONV *is_generated_fn)(void *textpage, int index);

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

    PyObject *out[3];
    const Py_ssize_t sizes[3] = {(Py_ssize_t)count * 4 * (Py_ssize_t)sizeof(float),
                                 (Py_ssize_t)count * (Py_ssize_t)sizeof(uint64_t),
                                 (Py_ssize_t)count};
    if (new_outputs(3, out, sizes)) return NULL;
    PyObject *boxes = out[0], *objects = out[1], *generated = out[2];
    float *box_out = (float *)PyBytes_AS_STRING(boxes);
    uint64_t *object_out = (uint64_t *)PyBytes_AS_STRING(objects);
    int8_t *generated_out = (int8_t *)PyBytes_AS_STRING(generated);
    rectf rect = {0.0f, 0.0f, 0.0f, 0.0f};
    for (int i = 0; i < count; i++) {
        Py_ssize_t at = 4 * (Py_ssize_t)i;
        loose_box(page, i, &rect);
        box_out[at] = rect.left;
        box_out[at + 1] = rect.top;
        box_out[at + 2] = rect.right;
        box_out[at + 3] = rect.bottom;
        object_out[i] = (uint64_t)(uintptr_t)text_object(page, i);
        generated_out[i] = (int8_t)is_generated(page, i);
    }
    return Py_BuildValue("(NNN)", boxes, objects, generated);
}


typedef unsigned int (FPDF_CALLCONV *unicode_fn)(void *textpage, int index);

/* object_chars(textpage, count, FPDFText_GetTextObject, FPDFText_GetUnicode):
   (objects: uint64[count], unicodes: uint32[count]) */
static PyObject *object_chars(PyObject *self, PyObject *args) {
    unsigned long long textpage, object_address, unicode_address;
    int count;
    if (!PyArg_ParseTuple(args, "KiKK", &textpage, &count, &object_address, &unicode_address))
        return NULL;
    if (count < 0 || !textpage || !object_address || !unicode_address) {
        PyErr_SetString(PyExc_ValueError,
                        "object_chars: a null text page or function, or a negative count");
        return NULL;
    }
    text_object_fn text_object = (text_object_fn)(uintptr_t)object_address;
    unicode_fn unicode = (unicode_fn)(uintptr_t)unicode_address;
    void *page = (void *)(uintptr_t)textpage;

    PyObject *out[2];
    const Py_ssize_t sizes[2] = {(Py_ssize_t)count * (Py_ssize_t)sizeof(uint64_t),
                                 (Py_ssize_t)count * (Py_ssize_t)sizeof(uint32_t)};
    if (new_outputs(2, out, sizes)) return NULL;
    uint64_t *object_out = (uint64_t *)PyBytes_AS_STRING(out[0]);
    uint32_t *unicode_out = (uint32_t *)PyBytes_AS_STRING(out[1]);
    for (int i = 0; i < count; i++) {
        object_out[i] = (uint64_t)(uintptr_t)text_object(page, i);
        unicode_out[i] = (uint32_t)unicode(page, i);
    }
    return Py_BuildValue("(NN)", out[0], out[1]);
}

typedef double (FPDF_CALLCONV *font_size_fn)(void *textpage, int index);
typedef int (FPDF_CALLCONV *char_matrix_fn)(void *textpage, int index, float *matrix);
typedef void *(FPDF_CALLCONV *object_font_fn)(void *text_object);

/* faces(textpage, indices: int32 bytes, font_size, char_matrix, text_object, object_font)
 *   -> (sizes: float64 [n]; matrices: float32 [n][4] as a, b, c, d (zero where it cannot
 *       be read); fonts: uint64 [n], the font of each character's text object)
 * What a text object's characters share, read at one character of each. */
static PyObject *faces(PyObject *self, PyObject *args) {
    unsigned long long textpage, size_address, matrix_address, object_address, font_address;
    const char *index_bytes;
    Py_ssize_t index_length;
    if (!PyArg_ParseTuple(args, "Ky#KKKK", &textpage, &index_bytes, &index_length,
                          &size_address, &matrix_address, &object_address, &font_address))
        return NULL;
    if (!textpage || !size_address || !matrix_address || !object_address || !font_address ||
        index_length % (Py_ssize_t)sizeof(int32_t)) {
        PyErr_SetString(PyExc_ValueError, "faces: a null text page or function, or bad indices");
        return NULL;
    }
    font_size_fn font_size = (font_size_fn)(uintptr_t)size_address;
    char_matrix_fn char_matrix = (char_matrix_fn)(uintptr_t)matrix_address;
    text_object_fn text_object = (text_object_fn)(uintptr_t)object_address;
    object_font_fn object_font = (object_font_fn)(uintptr_t)font_address;
    void *page = (void *)(uintptr_t)textpage;
    Py_ssize_t n = index_length / (Py_ssize_t)sizeof(int32_t);
    const int32_t *indices = (const int32_t *)index_bytes;

    PyObject *out[3];
    const Py_ssize_t lengths[3] = {n * (Py_ssize_t)sizeof(double),
                                   n * 4 * (Py_ssize_t)sizeof(float),
                                   n * (Py_ssize_t)sizeof(uint64_t)};
    if (new_outputs(3, out, lengths)) return NULL;
    PyObject *sizes = out[0], *matrices = out[1], *fonts = out[2];
    double *size_out = (double *)PyBytes_AS_STRING(sizes);
    float *matrix_out = (float *)PyBytes_AS_STRING(matrices);
    uint64_t *font_out = (uint64_t *)PyBytes_AS_STRING(fonts);
    for (Py_ssize_t k = 0; k < n; k++) {
        int i = indices[k];
        float m[6] = {0, 0, 0, 0, 0, 0};
        char_matrix(page, i, m);
        memcpy(matrix_out + 4 * k, m, 4 * sizeof(float));
        size_out[k] = font_size(page, i);
        void *obj = text_object(page, i);
        font_out[k] = obj ? (uint64_t)(uintptr_t)object_font(obj) : 0;
    }
    return Py_BuildValue("(NNN)", sizes, matrices, fonts);
}

typedef int (FPDF_CALLCONV *rect_fn)(void *textpage, int index, double *left, double *top,
                                     double *right, double *bottom);

/* rects(textpage, count, get_rect) -> (boxes: float64 [count][4] as left, top, right,
 * bottom; read: int8 [count], 0 where PDFium could not give the rectangle)
 * The text runs FPDFText_CountRects has just laid out (it must be called first). */
static PyObject *rects(PyObject *self, PyObject *args) {
    unsigned long long textpage, rect_address;
    int count;
    if (!PyArg_ParseTuple(args, "KiK", &textpage, &count, &rect_address)) return NULL;
    if (count < 0 || !textpage || !rect_address) {
        PyErr_SetString(PyExc_ValueError, "rects: a null text page or function, or a negative count");
        return NULL;
    }
    rect_fn get_rect = (rect_fn)(uintptr_t)rect_address;
    void *page = (void *)(uintptr_t)textpage;
    PyObject *out[2];
    const Py_ssize_t sizes[2] = {(Py_ssize_t)count * 4 * (Py_ssize_t)sizeof(double),
                                 (Py_ssize_t)count};
    if (new_outputs(2, out, sizes)) return NULL;
    PyObject *boxes = out[0], *read = out[1];
    double *box_out = (double *)PyBytes_AS_STRING(boxes);
    int8_t *read_out = (int8_t *)PyBytes_AS_STRING(read);
    for (int i = 0; i < count; i++) {
        double left = 0, top = 0, right = 0, bottom = 0;
        read_out[i] = get_rect(page, i, &left, &top, &right, &bottom) ? 1 : 0;
        Py_ssize_t at = 4 * (Py_ssize_t)i;
        box_out[at] = left;
        box_out[at + 1] = top;
        box_out[at + 2] = right;
        box_out[at + 3] = bottom;
    }
    return Py_BuildValue("(NN)", boxes, read);
}

typedef int (FPDF_CALLCONV *bounded_fn)(void *textpage, double left, double top, double right,
                                        double bottom, unsigned short *buffer, int buflen);

/* bounded_texts(textpage, boxes: float64 [n][4] left, bottom, right, top, buffer length,
 *               get_bounded_text)
 *   -> [str or None]: FPDFText_GetBoundedText of each box, one call each into a buffer of
 *      that many UTF-16 units, as ingest/pdf.py's _PageText.text_of reads one box (None
 *      where the text and its NUL did not fit: that box is asked for again in Python). */
static PyObject *bounded_texts(PyObject *self, PyObject *args) {
    unsigned long long textpage, bounded_address;
    Py_buffer bb;
    int buflen;
    if (!PyArg_ParseTuple(args, "Ky*iK", &textpage, &bb, &buflen, &bounded_address)) return NULL;
    PyObject *out = NULL;
    unsigned short *buffer = NULL;
    Py_ssize_t n = bb.len / (Py_ssize_t)(4 * sizeof(double));
    if (!textpage || !bounded_address || buflen < 1 ||
        bb.len != n * (Py_ssize_t)(4 * sizeof(double))) {
        PyErr_SetString(PyExc_ValueError, "bounded_texts: a null text page or function, a "
                                          "buffer of no length, or boxes not of four numbers");
        goto done;
    }
    buffer = malloc((size_t)buflen * sizeof *buffer);
    out = PyList_New(n);
    if (!buffer || !out) {
        Py_CLEAR(out);
        if (!buffer) PyErr_NoMemory();
        goto done;
    }
    bounded_fn bounded = (bounded_fn)(uintptr_t)bounded_address;
    const double *box = bb.buf;
    for (Py_ssize_t i = 0; i < n; i++, box += 4) {
        int written = bounded((void *)(uintptr_t)textpage, box[0], box[3], box[2], box[1], buffer,
                              buflen);
        PyObject *text;
        if (written < 1 || written >= buflen) {
            text = Py_NewRef(Py_None);
        } else {
            int byteorder = -1; /* little-endian, as bytes.decode("utf-16-le", "ignore") */
            text = PyUnicode_DecodeUTF16((const char *)buffer, 2 * (Py_ssize_t)(written - 1),
                                         "ignore", &byteorder);
            if (!text) {
                Py_CLEAR(out);
                goto done;
            }
        }
        PyList_SET_ITEM(out, i, text);
    }
done:
    free(buffer);
    PyBuffer_Release(&bb);
    return out;
}

/* ---- PDFium's text in a box, replicated ------------------------------------------------
 *
 * FPDFText_GetBoundedText walks every character of the page for each box it is asked
 * about (CPDF_TextPage::GetTextByRect over GetTextByPredicate), through a std::function
 * per character: a page of a thousand boxes walked its characters a thousand times, most
 * of the unruled table search's time. text_chars reads each character's box, origin and
 * unicode once; texts_in_boxes then runs the same predicate and the same state machine
 * over those arrays, in the same float arithmetic. tests/test_ingest_pdf.py compares the
 * two on every run of real pages, and ingest/pdf.py checks one box a page against PDFium
 * at run time and falls back to PDFium for the page when they differ. */

typedef int (FPDF_CALLCONV *char_box_fn)(void *textpage, int index, double *left, double *right,
                                         double *bottom, double *top);
typedef int (FPDF_CALLCONV *char_origin_fn)(void *textpage, int index, double *x, double *y);

typedef struct {
    float left, bottom, right, top; /* CharInfo::m_CharBox, normalised (left <= right ...) */
    float origin_y;                 /* CharInfo::m_Origin.y */
    uint32_t unicode;               /* CharInfo::m_Unicode */
} text_char;

/* text_chars(textpage, count, FPDFText_GetUnicode, FPDFText_GetCharBox,
 *            FPDFText_GetCharOrigin) -> bytes: text_char [count] */
static PyObject *text_chars(PyObject *self, PyObject *args) {
    unsigned long long textpage, unicode_address, box_address, origin_address;
    int count;
    if (!PyArg_ParseTuple(args, "KiKKK", &textpage, &count, &unicode_address, &box_address,
                          &origin_address))
        return NULL;
    if (count < 0 || !textpage || !unicode_address || !box_address || !origin_address) {
        PyErr_SetString(PyExc_ValueError,
                        "text_chars: a null text page or function, or a negative count");
        return NULL;
    }
    unicode_fn unicode = (unicode_fn)(uintptr_t)unicode_address;
    char_box_fn char_box = (char_box_fn)(uintptr_t)box_address;
    char_origin_fn char_origin = (char_origin_fn)(uintptr_t)origin_address;
    void *page = (void *)(uintptr_t)textpage;
    PyObject *out = PyBytes_FromStringAndSize(NULL, (Py_ssize_t)count * (Py_ssize_t)sizeof(text_char));
    if (!out) return NULL;
    text_char *c = (text_char *)PyBytes_AS_STRING(out);
    for (int i = 0; i < count; i++, c++) {
        double left = 0, right = 0, bottom = 0, top = 0, x = 0, y = 0;
        if (!char_box(page, i, &left, &right, &bottom, &top)) left = right = bottom = top = 0;
        if (!char_origin(page, i, &x, &y)) y = 0;
        /* the doubles are PDFium's floats widened: narrowing them back is exact */
        float l = (float)left, r = (float)right, b = (float)bottom, t = (float)top;
        /* CFX_FloatRect::GetNormalized, as Intersect applies to the character's box */
        c->left = l > r ? r : l;
        c->right = l > r ? l : r;
        c->bottom = b > t ? t : b;
        c->top = b > t ? b : t;
        c->origin_y = (float)y;
        c->unicode = (uint32_t)unicode(page, i);
    }
    return out;
}

/* IsRectIntersect(query, character box): CFX_FloatRect::Intersect then IsEmpty, with
 * std::max and std::min as they compare (which matters only for NaN). */
static inline int intersects(float ql, float qb, float qr, float qt, const text_char *c) {
    float l = ql < c->left ? c->left : ql;
    float b = qb < c->bottom ? c->bottom : qb;
    float r = c->right < qr ? c->right : qr;
    float t = c->top < qt ? c->top : qt;
    if (l > r || b > t) return 0; /* made the empty rect (0, 0, 0, 0) */
    return !(l >= r || b >= t);
}

typedef struct {
    uint16_t *data;
    Py_ssize_t len, cap;
} units;

static int push_unit(units *u, uint16_t unit) {
    if (u->len == u->cap) {
        uint16_t *data = grown(u->data, &u->cap, sizeof *data);
        if (!data) return -1;
        u->data = data;
    }
    u->data[u->len++] = unit;
    return 0;
}

/* WideString::ToUTF16LE of one wchar_t (32 bits, as on Linux and macOS): a supplementary
 * character as its surrogate pair, any other value as its low 16 bits. */
static int push_char(units *u, uint32_t ch) {
    if (ch >= 0x10000 && ch <= 0x10FFFF) {
        ch -= 0x10000;
        if (push_unit(u, (uint16_t)(0xD800 + (ch >> 10)))) return -1;
        return push_unit(u, (uint16_t)(0xDC00 + (ch & 0x3FF)));
    }
    return push_unit(u, (uint16_t)ch);
}

/* GetTextByPredicate's state between characters. */
typedef struct {
    float posy;
    int contains_pre_char, add_line_feed;
} text_walk;

/* What GetTextByPredicate does at a character that meets the box. */
static int take(text_walk *w, const text_char *c, units *u) {
    if (fabsf(w->posy - c->origin_y) > 0 && !w->contains_pre_char && w->add_line_feed) {
        w->posy = c->origin_y;
        /* the text so far is empty exactly when no unit was written */
        if (u->len && (push_unit(u, '\r') || push_unit(u, '\n'))) return -1;
    }
    w->contains_pre_char = 1;
    w->add_line_feed = 0;
    return c->unicode ? push_char(u, c->unicode) : 0;
}

/* GetTextByPredicate with IsRectIntersect, character by character, as PDFium runs it:
 * the reference the indexed reading below is tested against. */
static int literal_text(const text_char *chars, Py_ssize_t count, const float q[4], units *u) {
    text_walk w = {0, 0, 0};
    u->len = 0;
    for (Py_ssize_t i = 0; i < count; i++) {
        const text_char *c = chars + i;
        if (intersects(q[0], q[1], q[2], q[3], c)) {
            if (take(&w, c, u)) return -1;
        } else if (c->unicode == ' ') {
            if (w.contains_pre_char) {
                if (push_unit(u, ' ')) return -1;
                w.contains_pre_char = 0;
                w.add_line_feed = 0;
            }
        } else {
            w.contains_pre_char = 0;
            w.add_line_feed = 1;
        }
    }
    return 0;
}

/* The characters by height, so that a box looks only at those that may meet it: bands of
 * `step` points from `low`, each listing (in page order) the characters whose box
 * reaches into it. A character that cannot meet any box (finite, of no width or height)
 * is in none; one with a coordinate that is not finite, or taller than MAX_BANDS bands,
 * is looked at for every box (`always`). `nonspace[i]`: how many of the first i
 * characters are not a space, which is all the walk needs of those between two that
 * meet the box. */
#define MAX_BANDS 64
typedef struct {
    double low, step;
    Py_ssize_t bands;
    Py_ssize_t *start; /* [bands + 1]: band b's characters are members[start[b]:start[b+1]] */
    Py_ssize_t *members;
    Py_ssize_t *always, n_always;
    Py_ssize_t *nonspace; /* [count + 1] */
    Py_ssize_t *seen;     /* [count]: the last box (numbered from 1) that took the character */
    Py_ssize_t *found;    /* [count]: one box's characters */
} char_index;

static void free_index(char_index *x) {
    free(x->start);
    free(x->members);
    free(x->always);
    free(x->nonspace);
    free(x->seen);
    free(x->found);
}

/* The band of a height, or -1 or `bands` for one below or above them all. */
static Py_ssize_t band_of(const char_index *x, double y) {
    double band = floor((y - x->low) / x->step);
    if (!(band >= 0)) return -1;
    return band < (double)x->bands ? (Py_ssize_t)band : x->bands;
}

static int finite_box(const text_char *c) {
    return isfinite(c->left) && isfinite(c->right) && isfinite(c->bottom) && isfinite(c->top);
}

/* Where a character goes in the index: NOWHERE (it meets no box), BANDS b0 to b1, or
 * ALWAYS. */
enum { NOWHERE, BANDS, ALWAYS };
static int place_of(const char_index *x, const text_char *c, Py_ssize_t *b0, Py_ssize_t *b1) {
    if (!finite_box(c)) return ALWAYS;
    if (!(c->left < c->right && c->bottom < c->top)) return NOWHERE;
    *b0 = band_of(x, c->bottom);
    *b1 = band_of(x, c->top);
    return *b1 - *b0 < MAX_BANDS ? BANDS : ALWAYS;
}

/* 0 for an index, or -1 (out of memory). */
static int build_index(const text_char *chars, Py_ssize_t count, char_index *x) {
    memset(x, 0, sizeof *x);
    double low = INFINITY, high = -INFINITY;
    for (Py_ssize_t i = 0; i < count; i++) {
        const text_char *c = chars + i;
        if (finite_box(c) && c->left < c->right && c->bottom < c->top) {
            if (c->bottom < low) low = c->bottom;
            if (c->top > high) high = c->top;
        }
    }
    x->low = isfinite(low) ? low : 0;
    /* 4 points: a line of body text falls in three or four bands */
    x->step = 4.0;
    if (isfinite(low) && (high - low) / x->step > 1 << 16) x->step = (high - low) / (1 << 16);
    x->bands = isfinite(low) ? (Py_ssize_t)floor((high - low) / x->step) + 1 : 0;
    x->start = calloc((size_t)x->bands + 2, sizeof *x->start);
    x->nonspace = malloc(((size_t)count + 1) * sizeof *x->nonspace);
    x->seen = calloc((size_t)count + 1, sizeof *x->seen);
    x->found = malloc(((size_t)count + 1) * sizeof *x->found);
    x->always = malloc(((size_t)count + 1) * sizeof *x->always);
    if (!x->start || !x->nonspace || !x->seen || !x->found || !x->always) return -1;
    Py_ssize_t total = 0, b0 = 0, b1 = 0;
    x->nonspace[0] = 0;
    for (Py_ssize_t i = 0; i < count; i++) {
        x->nonspace[i + 1] = x->nonspace[i] + (chars[i].unicode != ' ');
        switch (place_of(x, chars + i, &b0, &b1)) {
        case ALWAYS:
            x->always[x->n_always++] = i;
            break;
        case BANDS:
            for (Py_ssize_t b = b0; b <= b1; b++) x->start[b + 1]++;
            total += b1 - b0 + 1;
        }
    }
    for (Py_ssize_t b = 0; b < x->bands; b++) x->start[b + 1] += x->start[b];
    x->members = malloc(((size_t)total + 1) * sizeof *x->members);
    Py_ssize_t *fill = malloc(((size_t)x->bands + 1) * sizeof *fill);
    if (!x->members || !fill) {
        free(fill);
        return -1;
    }
    memcpy(fill, x->start, (size_t)x->bands * sizeof *fill);
    for (Py_ssize_t i = 0; i < count; i++)
        if (place_of(x, chars + i, &b0, &b1) == BANDS)
            for (Py_ssize_t b = b0; b <= b1; b++) x->members[fill[b]++] = i;
    free(fill);
    return 0;
}

static int by_index(const void *a, const void *b) {
    Py_ssize_t x = *(const Py_ssize_t *)a, y = *(const Py_ssize_t *)b;
    return (x > y) - (x < y);
}

/* literal_text's text, walking only the characters that meet the box. Between two of
 * them, the characters passed over leave the walk thus: the first of them, a space,
 * writes one; after any of them the last character is no longer "contained"; and a line
 * feed is due when any of them is not a space. */
static int indexed_text(const text_char *chars, Py_ssize_t count, const float q[4],
                        char_index *x, Py_ssize_t box_number, units *u) {
    Py_ssize_t n = 0;
    if (x->bands && q[3] > x->low) {
        Py_ssize_t b0 = band_of(x, q[1]), b1 = band_of(x, q[3]);
        if (b0 < 0) b0 = 0;
        if (b1 > x->bands - 1) b1 = x->bands - 1;
        for (Py_ssize_t b = b0; b <= b1; b++)
            for (Py_ssize_t k = x->start[b]; k < x->start[b + 1]; k++) {
                Py_ssize_t i = x->members[k];
                if (x->seen[i] != box_number && intersects(q[0], q[1], q[2], q[3], chars + i)) {
                    x->seen[i] = box_number;
                    x->found[n++] = i;
                }
            }
    }
    for (Py_ssize_t k = 0; k < x->n_always; k++) {
        Py_ssize_t i = x->always[k];
        if (intersects(q[0], q[1], q[2], q[3], chars + i)) x->found[n++] = i;
    }
    qsort(x->found, (size_t)n, sizeof *x->found, by_index);
    text_walk w = {0, 0, 0};
    u->len = 0;
    for (Py_ssize_t k = 0; k < n; k++) {
        Py_ssize_t i = x->found[k], from = k ? x->found[k - 1] + 1 : 0;
        if (from < i) { /* characters passed over */
            if (w.contains_pre_char && chars[from].unicode == ' ' && push_unit(u, ' ')) return -1;
            w.contains_pre_char = 0;
            w.add_line_feed = x->nonspace[i] - x->nonspace[from] > 0;
        }
        if (take(&w, chars + i, u)) return -1;
    }
    if (n && x->found[n - 1] + 1 < count && chars[x->found[n - 1] + 1].unicode == ' ')
        return push_unit(u, ' ');
    return 0;
}

/* texts_in_boxes(chars: text_char bytes, boxes: float64 [n][4] left, bottom, right, top,
 *                literal=False)
 *   -> [str]: CPDF_TextPage::GetTextByRect of each box, as FPDFText_GetBoundedText gives
 *      it (its UTF-16 read as bytes.decode("utf-16-le", "ignore") reads it); by the
 *      characters' index, or, with `literal`, character by character as PDFium walks. */
static PyObject *texts_in_boxes(PyObject *self, PyObject *args) {
    Py_buffer cb, bb;
    int literal = 0;
    if (!PyArg_ParseTuple(args, "y*y*|p", &cb, &bb, &literal)) return NULL;
    PyObject *out = NULL;
    units u = {NULL, 0, 0};
    char_index x;
    memset(&x, 0, sizeof x);
    Py_ssize_t count = cb.len / (Py_ssize_t)sizeof(text_char);
    Py_ssize_t n = bb.len / (Py_ssize_t)(4 * sizeof(double));
    if (cb.len != count * (Py_ssize_t)sizeof(text_char) ||
        bb.len != n * (Py_ssize_t)(4 * sizeof(double))) {
        PyErr_SetString(PyExc_ValueError,
                        "texts_in_boxes: characters not as text_chars gives them, or boxes not "
                        "of four numbers");
        goto done;
    }
    const text_char *chars = cb.buf;
    if (!literal && build_index(chars, count, &x)) goto nomemory;
    out = PyList_New(n);
    if (!out) goto done;
    const double *box = bb.buf;
    for (Py_ssize_t k = 0; k < n; k++, box += 4) {
        /* FPDFText_GetBoundedText's CFX_FloatRect((float)left, (float)bottom, ...) */
        const float q[4] = {(float)box[0], (float)box[1], (float)box[2], (float)box[3]};
        /* a box with a coordinate that is not finite is walked as PDFium walks it */
        int walk = literal || !(isfinite(q[0]) && isfinite(q[1]) && isfinite(q[2]) &&
                                isfinite(q[3]));
        if (walk ? literal_text(chars, count, q, &u) : indexed_text(chars, count, q, &x, k + 1, &u))
            goto nomemory;
#if PY_BIG_ENDIAN
        int byteorder = 1;
#else
        int byteorder = -1;
#endif
        PyObject *text =
            PyUnicode_DecodeUTF16((const char *)u.data, 2 * u.len, "ignore", &byteorder);
        if (!text) {
            Py_CLEAR(out);
            goto done;
        }
        PyList_SET_ITEM(out, k, text);
    }
    goto done;
nomemory:
    Py_CLEAR(out);
    PyErr_NoMemory();
done:
    PyMem_Free(u.data);
    free_index(&x);
    PyBuffer_Release(&cb);
    PyBuffer_Release(&bb);
    return out;
}

/* ---- cell text ---------------------------------------------------------------------- */

/* pdfplumber's extract_text(chars) with its default settings (x and y tolerance 3), for
 * upright characters of one code point each: extract/ingest/ruled.py's cell_text, which
 * a property test holds equal to pdfplumber's. */

#define TOLERANCE 3.0

typedef struct {
    const uint32_t *code;
    const double *x0, *x1, *top;
} char_arrays;

typedef struct {
    int64_t at;    /* the character's index in the page arrays */
    int64_t order; /* its place in the cell: equal keys keep this order */
    double key;
} keyed;

static int by_key(const void *a, const void *b) {
    const keyed *p = a, *q = b;
    if (p->key < q->key) return -1;
    if (p->key > q->key) return 1;
    return (p->order > q->order) - (p->order < q->order);
}

/* `by_key`'s order (a total one: no two items share `order`). A cell's characters come
 * nearly sorted (page order runs down the lines and along each), so insertion sort does
 * next to no moves; past a few per item it leaves the rest to qsort. */
static void sort_keyed(keyed *items, Py_ssize_t n) {
    Py_ssize_t moves = 0, budget = 4 * n + 32;
    for (Py_ssize_t k = 1; k < n; k++) {
        keyed item = items[k];
        Py_ssize_t j = k;
        while (j > 0 && by_key(&items[j - 1], &item) > 0) {
            items[j] = items[j - 1];
            j--;
        }
        items[j] = item;
        moves += k - j;
        if (moves > budget) {
            qsort(items, (size_t)n, sizeof(keyed), by_key);
            return;
        }
    }
}

/* The cluster of each item (pdfplumber's cluster_objects): its distinct values, sorted, in
 * one cluster while each is within the tolerance of the one before. `items` are sorted by
 * value here (stable); cluster[k] is the cluster of items[k]. */
static void cluster(keyed *items, Py_ssize_t n, int64_t *clusters) {
    sort_keyed(items, n);
    int64_t c = 0;
    for (Py_ssize_t k = 0; k < n; k++) {
        if (k > 0 && items[k].key != items[k - 1].key && items[k].key > items[k - 1].key + TOLERANCE)
            c++;
        clusters[k] = c;
    }
}

typedef struct {
    Py_UCS4 *data;
    Py_ssize_t used, size;
} text_buffer;

static int put_char(text_buffer *b, Py_UCS4 ch) {
    if (b->used == b->size) {
        Py_UCS4 *data = grown(b->data, &b->size, sizeof *data);
        if (!data) return -1;
        b->data = data;
    }
    b->data[b->used++] = ch;
    return 0;
}

/* pdfplumber's LIGATURES, spelt out */
static int put_spelt(text_buffer *b, Py_UCS4 ch) {
    const char *spelt = NULL;
    switch (ch) {
        case 0xFB00: spelt = "ff"; break;
        case 0xFB01: spelt = "fi"; break;
        case 0xFB02: spelt = "fl"; break;
        case 0xFB03: spelt = "ffi"; break;
        case 0xFB04: spelt = "ffl"; break;
        case 0xFB05: spelt = "st"; break;
        case 0xFB06: spelt = "st"; break;
    }
    if (!spelt) return put_char(b, ch);
    for (; *spelt; spelt++)
        if (put_char(b, (Py_UCS4)*spelt)) return -1;
    return 0;
}

typedef struct {
    Py_ssize_t start, end; /* the word's letters in the text buffer */
    double top;
} word_span;

/* Room for the cells of one call, made once for the largest (a malloc per cell and
 * array cost as much as the reading). */
typedef struct {
    keyed *lines, *line_chars, *word_keys;
    int64_t *line_of, *word_line;
    word_span *words;
    text_buffer letters, out;
} cell_room;

static int make_room(cell_room *r, Py_ssize_t n) {
    size_t m = (size_t)(n ? n : 1);
    r->lines = PyMem_Malloc(m * sizeof(keyed));
    r->line_chars = PyMem_Malloc(m * sizeof(keyed));
    r->word_keys = PyMem_Malloc(m * sizeof(keyed));
    r->line_of = PyMem_Malloc(m * sizeof(int64_t));
    r->word_line = PyMem_Malloc(m * sizeof(int64_t));
    r->words = PyMem_Malloc(m * sizeof(word_span));
    r->letters = (text_buffer){NULL, 0, 0};
    r->out = (text_buffer){NULL, 0, 0};
    return r->lines && r->line_chars && r->word_keys && r->line_of && r->word_line && r->words
               ? 0
               : -1;
}

static void free_room(cell_room *r) {
    PyMem_Free(r->lines);
    PyMem_Free(r->line_chars);
    PyMem_Free(r->word_keys);
    PyMem_Free(r->line_of);
    PyMem_Free(r->word_line);
    PyMem_Free(r->words);
    PyMem_Free(r->letters.data);
    PyMem_Free(r->out.data);
}

/* One cell's text; the characters `at[0..n)` in page order, `r` with room for n. NULL
 * with an exception set on failure. */
static PyObject *one_cell(const char_arrays *ch, const int64_t *at, Py_ssize_t n, cell_room *r) {
    keyed *lines = r->lines, *line_chars = r->line_chars, *word_keys = r->word_keys;
    int64_t *line_of = r->line_of, *word_line = r->word_line;
    word_span *words = r->words;
    text_buffer *letters = &r->letters, *out = &r->out;
    letters->used = out->used = 0;
    for (Py_ssize_t k = 0; k < n; k++) {
        lines[k].at = at[k];
        lines[k].order = k;
        lines[k].key = ch->top[at[k]];
    }
    cluster(lines, n, line_of);
    Py_ssize_t n_words = 0;
    Py_ssize_t k = 0;
    while (k < n) { /* one line: its characters left to right, page order for ties */
        Py_ssize_t end = k;
        while (end < n && line_of[end] == line_of[k]) end++;
        Py_ssize_t m = 0;
        for (Py_ssize_t j = k; j < end; j++) {
            line_chars[m] = lines[j];
            line_chars[m].key = ch->x0[lines[j].at];
            m++;
        }
        sort_keyed(line_chars, m);
        int in_word = 0;
        int64_t last = -1;
        for (Py_ssize_t j = 0; j < m; j++) {
            int64_t i = line_chars[j].at;
            Py_UCS4 code = (Py_UCS4)ch->code[i];
            if (Py_UNICODE_ISSPACE(code)) {
                in_word = 0;
                continue;
            }
            int begins = !in_word || ch->x0[i] < ch->x0[last] ||
                         ch->x0[i] > ch->x1[last] + TOLERANCE ||
                         fabs(ch->top[i] - ch->top[last]) > TOLERANCE;
            if (begins) {
                words[n_words].start = letters->used;
                words[n_words].top = ch->top[i];
                n_words++;
                in_word = 1;
            } else if (ch->top[i] < words[n_words - 1].top) {
                words[n_words - 1].top = ch->top[i];
            }
            if (put_spelt(letters, code)) return PyErr_NoMemory();
            words[n_words - 1].end = letters->used;
            last = i;
        }
        k = end;
    }
    for (Py_ssize_t w = 0; w < n_words; w++) {
        word_keys[w].at = w;
        word_keys[w].order = w;
        word_keys[w].key = words[w].top;
    }
    cluster(word_keys, n_words, word_line);
    /* lines of words, top to bottom; in a line, the words in the order they were made */
    for (Py_ssize_t w = 0; w < n_words; w++) {
        int64_t made = word_keys[w].at;
        word_keys[w].key = (double)word_line[w];
        word_keys[w].order = made;
    }
    sort_keyed(word_keys, n_words);
    for (Py_ssize_t w = 0; w < n_words; w++) {
        word_line[w] = (int64_t)word_keys[w].key;
    }
    for (Py_ssize_t w = 0; w < n_words; w++) {
        const word_span *word = &words[word_keys[w].order];
        if (w > 0 && put_char(out, word_line[w] == word_line[w - 1] ? ' ' : '\n'))
            return PyErr_NoMemory();
        for (Py_ssize_t c = word->start; c < word->end; c++) {
            if (put_char(out, letters->data[c])) return PyErr_NoMemory();
        }
    }
    static const Py_UCS4 nothing[1] = {0};
    return PyUnicode_FromKindAndData(PyUnicode_4BYTE_KIND, out->data ? out->data : nothing,
                                     out->used);
}

/* plain_cell_texts(codes: uint32, x0, x1, top: float64, plain: bool, indices: int64,
 *            bounds: int64) -> list of str or None: cell k holds the characters
 *   indices[bounds[k]:bounds[k + 1]]; None where one of them is not `plain` (its text is
 *   for the caller to read). */
static PyObject *plain_cell_texts(PyObject *self, PyObject *args) {
    Py_buffer code, x0, x1, top, plain, indices, bounds;
    if (!PyArg_ParseTuple(args, "y*y*y*y*y*y*y*", &code, &x0, &x1, &top, &plain, &indices,
                          &bounds))
        return NULL;
    PyObject *out = NULL;
    cell_room room = {0};
    Py_ssize_t n_chars = code.len / (Py_ssize_t)sizeof(uint32_t);
    Py_ssize_t n_cells = bounds.len / (Py_ssize_t)sizeof(int64_t) - 1;
    Py_ssize_t n_indices = indices.len / (Py_ssize_t)sizeof(int64_t);
    const int64_t *at = indices.buf, *bound = bounds.buf;
    const uint8_t *is_plain = plain.buf;
    if (x0.len != n_chars * (Py_ssize_t)sizeof(double) || x1.len != x0.len || top.len != x0.len ||
        plain.len != n_chars || n_cells < 0) {
        PyErr_SetString(PyExc_ValueError, "plain_cell_texts: arrays of different lengths");
        goto release;
    }
    for (Py_ssize_t k = 0; k < n_indices; k++) {
        if (at[k] < 0 || at[k] >= n_chars) {
            PyErr_SetString(PyExc_ValueError, "plain_cell_texts: a character index out of range");
            goto release;
        }
    }
    Py_ssize_t largest = 0;
    for (Py_ssize_t c = 0; c <= n_cells; c++) {
        if (bound[c] < 0 || bound[c] > n_indices || (c > 0 && bound[c] < bound[c - 1])) {
            PyErr_SetString(PyExc_ValueError, "plain_cell_texts: cell bounds out of order");
            goto release;
        }
        if (c > 0 && bound[c] - bound[c - 1] > largest) largest = bound[c] - bound[c - 1];
    }
    if (make_room(&room, largest)) {
        PyErr_NoMemory();
        goto release;
    }
    char_arrays chars = {code.buf, x0.buf, x1.buf, top.buf};
    out = PyList_New(n_cells);
    if (!out) goto release;
    for (Py_ssize_t c = 0; c < n_cells; c++) {
        const int64_t *held = at + bound[c];
        Py_ssize_t n = (Py_ssize_t)(bound[c + 1] - bound[c]), k = 0;
        while (k < n && is_plain[held[k]]) k++;
        PyObject *text = k < n ? Py_NewRef(Py_None) : one_cell(&chars, held, n, &room);
        if (!text) {
            Py_CLEAR(out);
            goto release;
        }
        PyList_SET_ITEM(out, c, text);
    }
release:
    free_room(&room);
    PyBuffer_Release(&code);
    PyBuffer_Release(&x0);
    PyBuffer_Release(&x1);
    PyBuffer_Release(&top);
    PyBuffer_Release(&plain);
    PyBuffer_Release(&indices);
    PyBuffer_Release(&bounds);
    return out;
}

/* ---- paths ------------------------------------------------------------------------ */

typedef struct {
    float a, b, c, d, e, f; /* PDFium's FS_MATRIX */
} matrixf;

typedef int (FPDF_CALLCONV *count_fn)(void *parent);
typedef void *(FPDF_CALLCONV *page_object_fn)(void *page, int index);
typedef void *(FPDF_CALLCONV *form_object_fn)(void *form, unsigned long index);
typedef int (FPDF_CALLCONV *type_fn)(void *object);
typedef int (FPDF_CALLCONV *matrix_fn)(void *object, matrixf *matrix);
typedef int (FPDF_CALLCONV *bounds_fn)(void *object, float *left, float *bottom, float *right,
                                       float *top);
typedef void *(FPDF_CALLCONV *segment_fn)(void *path, int index);
typedef int (FPDF_CALLCONV *point_fn)(void *segment, float *x, float *y);

typedef struct {
    count_fn page_count, form_count, segment_count;
    page_object_fn page_object;
    form_object_fn form_object;
    type_fn object_type, segment_type, segment_close;
    matrix_fn matrix;
    bounds_fn bounds;
    segment_fn segment;
    point_fn point;
} path_api;

/* A growable array of one C type, handed to Python as bytes. */
typedef struct {
    char *data;
    size_t used, size;
} buffer;

static int put(buffer *b, const void *item, size_t n) {
    if (b->used + n > b->size) {
        size_t size = b->size ? 2 * b->size : 4096;
        while (size < b->used + n) size *= 2;
        char *data = realloc(b->data, size);
        if (!data) return -1;
        b->data = data;
        b->size = size;
    }
    memcpy(b->data + b->used, item, n);
    b->used += n;
    return 0;
}

typedef struct {
    buffer form_ints, form_floats, path_ints, path_floats, segment_ints, segment_floats;
    int32_t forms;
} path_out;

#define PAGEOBJ_PATH 2
#define PAGEOBJ_FORM 5

/* The objects of a page (form == 0) or of a form, forms entered up to 8 levels deep, as
 * _walk in extract/ingest/pdfium_loops.py walks them. */
static int walk(const path_api *api, void *parent, int depth, int32_t container, path_out *out) {
    int n = depth == 0 ? api->page_count(parent) : api->form_count(parent);
    for (int i = 0; i < n; i++) {
        void *obj = depth == 0 ? api->page_object(parent, i)
                               : api->form_object(parent, (unsigned long)i);
        int kind = api->object_type(obj);
        if (kind == PAGEOBJ_PATH) {
            float left = 0, bottom = 0, right = 0, top = 0;
            int32_t bounds_ok = api->bounds(obj, &left, &bottom, &right, &top) ? 1 : 0;
            matrixf m = {0, 0, 0, 0, 0, 0};
            int32_t matrix_ok = api->matrix(obj, &m) ? 1 : 0;
            int count = api->segment_count(obj);
            if (count < 0) count = 0;
            size_t segments = out->segment_ints.used / (2 * sizeof(int32_t));
            if (segments + (size_t)count > INT32_MAX) return -1; /* reported as no memory */
            int32_t first = (int32_t)segments;
            int32_t ints[5] = {container, bounds_ok, matrix_ok, first, count};
            float floats[10] = {left, bottom, right, top, m.a, m.b, m.c, m.d, m.e, m.f};
            if (put(&out->path_ints, ints, sizeof ints) || put(&out->path_floats, floats, sizeof floats))
                return -1;
            float x = 0, y = 0; /* a point that cannot be read keeps the one before */
            for (int k = 0; k < count; k++) {
                void *seg = api->segment(obj, k);
                int32_t kind_close[2];
                kind_close[0] = api->segment_type(seg);
                api->point(seg, &x, &y);
                kind_close[1] = api->segment_close(seg) ? 1 : 0;
                float xy[2] = {x, y};
                if (put(&out->segment_ints, kind_close, sizeof kind_close) ||
                    put(&out->segment_floats, xy, sizeof xy))
                    return -1;
            }
        } else if (kind == PAGEOBJ_FORM && depth < 8) {
            matrixf m = {0, 0, 0, 0, 0, 0};
            int32_t ints[2] = {container, api->matrix(obj, &m) ? 1 : 0};
            float floats[6] = {m.a, m.b, m.c, m.d, m.e, m.f};
            if (put(&out->form_ints, ints, sizeof ints) || put(&out->form_floats, floats, sizeof floats))
                return -1;
            int32_t inner = ++out->forms; /* container 0 is the page */
            if (walk(api, obj, depth + 1, inner, out)) return -1;
        }
    }
    return 0;
}

static PyObject *as_bytes(buffer *b) {
    PyObject *out = PyBytes_FromStringAndSize(b->used ? b->data : "", (Py_ssize_t)b->used);
    free(b->data);
    b->data = NULL;
    return out;
}

/* paths(page, 12 function addresses) -> 6 bytes objects:
 *   form ints (parent container, matrix read) and floats (matrix a..f), one pair per form;
 *   path ints (container, bounds read, matrix read, first segment, segments) and floats
 *   (left, bottom, right, top, matrix a..f), one per path object;
 *   segment ints (type, closes) and floats (x, y), one per segment. */
static PyObject *paths(PyObject *self, PyObject *args) {
    unsigned long long page, f[12];
    if (!PyArg_ParseTuple(args, "KKKKKKKKKKKKK", &page, &f[0], &f[1], &f[2], &f[3], &f[4],
                          &f[5], &f[6], &f[7], &f[8], &f[9], &f[10], &f[11]))
        return NULL;
    for (int i = 0; i < 12; i++) {
        if (!f[i] || !page) {
            PyErr_SetString(PyExc_ValueError, "paths: a null page or function");
            return NULL;
        }
    }
    path_api api = {
        (count_fn)(uintptr_t)f[0],       (count_fn)(uintptr_t)f[1],
        (count_fn)(uintptr_t)f[2],       (page_object_fn)(uintptr_t)f[3],
        (form_object_fn)(uintptr_t)f[4], (type_fn)(uintptr_t)f[5],
        (type_fn)(uintptr_t)f[6],        (type_fn)(uintptr_t)f[7],
        (matrix_fn)(uintptr_t)f[8],      (bounds_fn)(uintptr_t)f[9],
        (segment_fn)(uintptr_t)f[10],    (point_fn)(uintptr_t)f[11],
    };
    path_out out;
    memset(&out, 0, sizeof out);
    if (walk(&api, (void *)(uintptr_t)page, 0, 0, &out)) {
        free(out.form_ints.data);
        free(out.form_floats.data);
        free(out.path_ints.data);
        free(out.path_floats.data);
        free(out.segment_ints.data);
        free(out.segment_floats.data);
        return PyErr_NoMemory();
    }
    return Py_BuildValue("(NNNNNN)", as_bytes(&out.form_ints), as_bytes(&out.form_floats),
                         as_bytes(&out.path_ints), as_bytes(&out.path_floats),
                         as_bytes(&out.segment_ints), as_bytes(&out.segment_floats));
}

/* ---- text objects ------------------------------------------------------------------- */

#define PAGEOBJ_TEXT 1

typedef struct {
    count_fn page_count, form_count;
    page_object_fn page_object;
    form_object_fn form_object;
    type_fn object_type;
    object_font_fn font;
} text_api;

/* The text objects of a page (or of a form) and the font of each, forms entered down to
 * `depth` levels, as pdf._text_objects walks them. */
static int walk_text(const text_api *api, void *parent, int in_form, int depth, buffer *objects,
                     buffer *fonts) {
    int n = in_form ? api->form_count(parent) : api->page_count(parent);
    for (int i = 0; i < n; i++) {
        void *obj = in_form ? api->form_object(parent, (unsigned long)i) : api->page_object(parent, i);
        int kind = api->object_type(obj);
        if (kind == PAGEOBJ_TEXT) {
            uint64_t at = (uint64_t)(uintptr_t)obj, font = (uint64_t)(uintptr_t)api->font(obj);
            if (put(objects, &at, sizeof at) || put(fonts, &font, sizeof font)) return -1;
        } else if (kind == PAGEOBJ_FORM && depth > 0) {
            if (walk_text(api, obj, 1, depth - 1, objects, fonts)) return -1;
        }
    }
    return 0;
}

/* text_objects(page, depth, FPDFPage_CountObjects, FPDFFormObj_CountObjects,
 *              FPDFPage_GetObject, FPDFFormObj_GetObject, FPDFPageObj_GetType,
 *              FPDFTextObj_GetFont) -> (objects: uint64 [n], fonts: uint64 [n]) */
static PyObject *text_objects(PyObject *self, PyObject *args) {
    unsigned long long page, f[6];
    int depth;
    if (!PyArg_ParseTuple(args, "KiKKKKKK", &page, &depth, &f[0], &f[1], &f[2], &f[3], &f[4], &f[5]))
        return NULL;
    for (int i = 0; i < 6; i++) {
        if (!f[i] || !page) {
            PyErr_SetString(PyExc_ValueError, "text_objects: a null page or function");
            return NULL;
        }
    }
    text_api api = {(count_fn)(uintptr_t)f[0],       (count_fn)(uintptr_t)f[1],
                    (page_object_fn)(uintptr_t)f[2], (form_object_fn)(uintptr_t)f[3],
                    (type_fn)(uintptr_t)f[4],        (object_font_fn)(uintptr_t)f[5]};
    buffer objects, fonts;
    memset(&objects, 0, sizeof objects);
    memset(&fonts, 0, sizeof fonts);
    if (walk_text(&api, (void *)(uintptr_t)page, 0, depth, &objects, &fonts)) {
        free(objects.data);
        free(fonts.data);
        return PyErr_NoMemory();
    }
    return Py_BuildValue("(NN)", as_bytes(&objects), as_bytes(&fonts));
}

/* ---- edges: the path records as pdfplumber's edges (ruled.page_paths, step for step) ----
 * Every operation is the Python's, in its order, on doubles (setup.py turns off fused
 * multiply-add, which would round differently); min and max keep the first of equals and
 * pass NaN through as Python's do. A test compares the two on real pages. */

typedef struct {
    double a, b, c, d, e, f;
} matd;

static const matd IDENTITY = {1.0, 0.0, 0.0, 1.0, 0.0, 0.0};

static matd compose(matd first, matd then) {
    matd r;
    r.a = first.a * then.a + first.b * then.c;
    r.b = first.a * then.b + first.b * then.d;
    r.c = first.c * then.a + first.d * then.c;
    r.d = first.c * then.b + first.d * then.d;
    r.e = first.e * then.a + first.f * then.c + then.e;
    r.f = first.e * then.b + first.f * then.d + then.f;
    return r;
}

static double py_min(double a, double b) { return b < a ? b : a; }
static double py_max(double a, double b) { return b > a ? b : a; }

enum { KIND_LINE = 0, KIND_RECT = 1, KIND_CURVE = 2 };
enum { ORIENT_NONE = 0, ORIENT_H = 1, ORIENT_V = 2 };

typedef struct {
    buffer floats; /* x0, x1, top, bottom, doctop, width, height: doubles */
    buffer codes;  /* kind, orientation: int8 */
} edge_out;

static int edge(edge_out *out, int8_t kind, double x0, double y0, double x1, double y1,
                int8_t orientation) {
    double left = py_min(x0, x1), right = py_max(x0, x1);
    double top = py_min(y0, y1), bottom = py_max(y0, y1);
    double values[7] = {left, right, top, bottom, top, right - left, bottom - top};
    int8_t codes[2] = {kind, orientation};
    return put(&out->floats, values, sizeof values) || put(&out->codes, codes, sizeof codes);
}

/* One subpath: its operators ("mllh") and end points (y already from the top). */
static int subpath_edges(edge_out *out, char *shape, double *xs, double *ys, Py_ssize_t n) {
    if (n > 3 && shape[n - 2] == 'l' && shape[n - 1] == 'h' && xs[n - 2] == xs[0] &&
        ys[n - 2] == ys[0]) {
        shape[n - 2] = 'h'; /* shape[:-2] + "h", pts[:-2] + pts[-1:]: the "l" dropped */
        xs[n - 2] = xs[n - 1];
        ys[n - 2] = ys[n - 1];
        n -= 1;
    }
    if ((n == 3 && memcmp(shape, "mlh", 3) == 0) || (n == 2 && memcmp(shape, "ml", 2) == 0))
        return edge(out, KIND_LINE, xs[0], ys[0], xs[1], ys[1],
                    ys[0] == ys[1] ? ORIENT_H : ORIENT_V);
    if (n == 5 && (memcmp(shape, "mlllh", 5) == 0 || memcmp(shape, "mllll", 5) == 0) &&
        xs[0] == xs[4] && ys[0] == ys[4]) {
        double x0 = xs[0], y0 = ys[0], x1 = xs[1], y1 = ys[1], x2 = xs[2], y2 = ys[2];
        double x3 = xs[3], y3 = ys[3];
        if ((x0 == x1 && y1 == y2 && x2 == x3 && y3 == y0) ||
            (y0 == y1 && x1 == x2 && y2 == y3 && x3 == x0)) {
            double left = py_min(x0, x2), right = py_max(x0, x2);
            double top = py_min(y0, y2), bottom = py_max(y0, y2);
            return edge(out, KIND_RECT, left, top, right, top, ORIENT_H) ||
                   edge(out, KIND_RECT, left, bottom, right, bottom, ORIENT_H) ||
                   edge(out, KIND_RECT, left, top, left, bottom, ORIENT_V) ||
                   edge(out, KIND_RECT, right, top, right, bottom, ORIENT_V);
        }
    }
    for (Py_ssize_t k = 0; k + 1 < n; k++) {
        int8_t orientation = xs[k] == xs[k + 1]   ? ORIENT_V
                             : ys[k] == ys[k + 1] ? ORIENT_H
                                                  : ORIENT_NONE;
        if (edge(out, KIND_CURVE, xs[k], ys[k], xs[k + 1], ys[k + 1], orientation)) return -1;
    }
    return 0;
}

/* edges(form ints, form floats, path ints, path floats, segment ints, segment floats,
 *       height, moveto, bezierto) -> (edge floats, edge codes, bounds), from `paths`'s
 * records: pdfplumber's edges of every path, and each path's bounds on the page (left,
 * bottom, right, top: doubles) where PDFium gave them. */
static PyObject *edges(PyObject *self, PyObject *args) {
    Py_buffer fi, ff, pi, pf, si, sf;
    double height;
    int moveto, bezierto;
    if (!PyArg_ParseTuple(args, "y*y*y*y*y*y*dii", &fi, &ff, &pi, &pf, &si, &sf, &height,
                          &moveto, &bezierto))
        return NULL;
    PyObject *result = NULL;
    const int32_t *form_ints = fi.buf, *path_ints = pi.buf, *seg_ints = si.buf;
    const float *form_floats = ff.buf, *path_floats = pf.buf, *seg_floats = sf.buf;
    Py_ssize_t forms = fi.len / (Py_ssize_t)(2 * sizeof(int32_t));
    Py_ssize_t paths_n = pi.len / (Py_ssize_t)(5 * sizeof(int32_t));
    Py_ssize_t segments_n = si.len / (Py_ssize_t)(2 * sizeof(int32_t));
    matd *containers = NULL;
    edge_out out;
    buffer bounds;
    memset(&out, 0, sizeof out);
    memset(&bounds, 0, sizeof bounds);
    char *shape = NULL;
    double *xs = NULL, *ys = NULL;
    if (ff.len < forms * (Py_ssize_t)(6 * sizeof(float)) ||
        pf.len < paths_n * (Py_ssize_t)(10 * sizeof(float)) ||
        sf.len < segments_n * (Py_ssize_t)(2 * sizeof(float))) {
        PyErr_SetString(PyExc_ValueError, "edges: float records shorter than their int records");
        goto done;
    }
    containers = malloc((size_t)(forms + 1) * sizeof(matd));
    if (!containers) {
        PyErr_NoMemory();
        goto done;
    }
    containers[0] = IDENTITY;
    for (Py_ssize_t k = 0; k < forms; k++) {
        int32_t parent = form_ints[2 * k];
        if (parent < 0 || parent > k) {
            PyErr_SetString(PyExc_IndexError, "edges: a form inside a container not yet read");
            goto done;
        }
        const float *m = form_floats + 6 * k;
        matd own = {m[0], m[1], m[2], m[3], m[4], m[5]};
        containers[k + 1] = compose(form_ints[2 * k + 1] ? own : IDENTITY, containers[parent]);
    }
    for (Py_ssize_t k = 0; k < paths_n; k++) {
        const int32_t *ints = path_ints + 5 * k;
        const float *floats = path_floats + 10 * k;
        int32_t where = ints[0], first = ints[3], count = ints[4];
        if (where < 0 || where > forms || first < 0 || count < 0 ||
            (int64_t)first + (int64_t)count > (int64_t)segments_n) {
            PyErr_SetString(PyExc_IndexError, "edges: a path record out of range");
            goto done;
        }
        matd container = containers[where];
        if (ints[1]) { /* bounds read: the corners into the page's space */
            double xs4[4], ys4[4];
            double corner_x[2] = {floats[0], floats[2]}, corner_y[2] = {floats[1], floats[3]};
            int c = 0;
            for (int i = 0; i < 2; i++)
                for (int j = 0; j < 2; j++, c++) {
                    double x = corner_x[i], y = corner_y[j];
                    xs4[c] = container.a * x + container.c * y + container.e;
                    ys4[c] = container.b * x + container.d * y + container.f;
                }
            double box[4] = {xs4[0], ys4[0], xs4[0], ys4[0]};
            for (int i = 1; i < 4; i++) {
                box[0] = py_min(box[0], xs4[i]);
                box[1] = py_min(box[1], ys4[i]);
                box[2] = py_max(box[2], xs4[i]);
                box[3] = py_max(box[3], ys4[i]);
            }
            if (put(&bounds, box, sizeof box)) {
                PyErr_NoMemory();
                goto done;
            }
        }
        matd matrix = {floats[4], floats[5], floats[6], floats[7], floats[8], floats[9]};
        matd own = compose(ints[2] ? matrix : IDENTITY, container);
        /* the subpaths, as pdfminer reads them: a point for each operator */
        free(shape);
        free(xs);
        free(ys);
        size_t room = 2 * (size_t)count + 2;
        shape = malloc(room);
        xs = malloc(room * sizeof(double));
        ys = malloc(room * sizeof(double));
        if (!shape || !xs || !ys) {
            PyErr_NoMemory();
            goto done;
        }
        Py_ssize_t n = 0;
        long bezier = 0;
        for (int32_t j = first; j < first + count; j++) {
            int32_t kind = seg_ints[2 * j], closes = seg_ints[2 * j + 1];
            double x = seg_floats[2 * j], y = seg_floats[2 * j + 1];
            double px = own.a * x + own.c * y + own.e, py = own.b * x + own.d * y + own.f;
            if (kind == moveto) {
                if (n && subpath_edges(&out, shape, xs, ys, n)) {
                    PyErr_NoMemory();
                    goto done;
                }
                n = 0;
                shape[n] = 'm';
                xs[n] = px;
                ys[n++] = height - py;
                bezier = 0;
            } else if (kind == bezierto) {
                bezier += 1;
                if (bezier % 3 == 0) {
                    shape[n] = 'c';
                    xs[n] = px;
                    ys[n++] = height - py;
                }
            } else {
                shape[n] = 'l';
                xs[n] = px;
                ys[n++] = height - py;
            }
            if (n && closes) {
                shape[n] = 'h';
                xs[n] = xs[0];
                ys[n] = ys[0];
                n++;
            }
        }
        if (n && subpath_edges(&out, shape, xs, ys, n)) {
            PyErr_NoMemory();
            goto done;
        }
    }
    result = Py_BuildValue("(NNN)", as_bytes(&out.floats), as_bytes(&out.codes), as_bytes(&bounds));
done:
    free(containers);
    free(shape);
    free(xs);
    free(ys);
    free(out.floats.data);
    free(out.codes.data);
    free(bounds.data);
    PyBuffer_Release(&fi);
    PyBuffer_Release(&ff);
    PyBuffer_Release(&pi);
    PyBuffer_Release(&pf);
    PyBuffer_Release(&si);
    PyBuffer_Release(&sf);
    return result;
}

static PyMethodDef methods[] = {
    {"chars", chars, METH_VARARGS, "Every character's loose box, text object and generated flag."},
    {"object_chars", object_chars, METH_VARARGS, "Every character's text object and unicode."},
    {"faces", faces, METH_VARARGS, "Font size, matrix and font at one character of each text object."},
    {"rects", rects, METH_VARARGS, "The text page's text runs, as FPDFText_GetRect gives them."},
    {"bounded_texts", bounded_texts, METH_VARARGS, "FPDFText_GetBoundedText of many boxes."},
    {"text_chars", text_chars, METH_VARARGS, "Each character's box, origin and unicode."},
    {"texts_in_boxes", texts_in_boxes, METH_VARARGS,
     "FPDFText_GetBoundedText of many boxes, from text_chars' arrays."},
    {"plain_cell_texts", plain_cell_texts, METH_VARARGS,
     "pdfplumber's extract_text of many cells at once (None: a cell left to Python)."},
    {"edges", edges, METH_VARARGS, "pdfplumber's edges of the path records, and their bounds."},
    {"paths", paths, METH_VARARGS, "Every path object's bounds, matrix and segments, forms entered."},
    {"text_objects", text_objects, METH_VARARGS, "A page's text objects and their fonts, forms entered."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "_pdfium_loops", NULL, -1, methods};

PyMODINIT_FUNC PyInit__pdfium_loops(void) { return PyModule_Create(&module); }

/* Page geometry in C, no PDFium calls: the Python's steps (ruled.py, unruled.py, which
 * keep them and which the tests compare with these) where they ran over every edge, run
 * or character of a page:
 *   tables        pdfplumber's ruled-table search over a page's edges;
 *   text_lines    the unruled search's text runs grouped into lines and chunks;
 *   held          a ruled table's characters to its cells, by their middles;
 *   letters_in    each row's letters, and bold ones, for the heading-row share;
 *   char_objects  a page's characters' text objects, as np.unique gives them;
 *   kept_chars    the characters inside the tables, boxed as pdfminer boxes them;
 *   table_rows    a ruled table's cells in rows, as pdfplumber's Table.rows;
 *   span_above    where the line of text over a table lies (its caption);
 *   rounded_rows  a ruled table's cells rounded, a value once per table.
 *
 * Ruled tables: pdfplumber's TableFinder with the "lines" strategies snaps and joins the
 * page's edges, finds where they cross, the smallest cells those crossings box, and
 * groups the cells into tables. In Python that cost as much as reading the tables' text. This is the same
 * algorithm step for step (extract/ingest/ruled.py keeps the Python, and the tests
 * compare the two with pdfplumber's own): the same comparisons on the same doubles, the
 * same orders (stable sorts are ties broken by position), and each cluster's mean taken
 * by Python's own `sum`, so a Python whose float sum differs is followed too.
 *
 * The input is the edge arrays `_pdfium_loops.edges` gives.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    double x0, x1, top, bottom, width, height;
    int vertical;
    Py_ssize_t at; /* position in the list being sorted: stable sorts break ties on it */
} edge_t;

typedef struct {
    double x, y;
} point_t;

/* -- a set of points, by value (0.0 and -0.0 are one point, as in a Python set) ------ */

typedef struct {
    Py_ssize_t *slots; /* index into `points`, or -1 */
    size_t mask;
    point_t *points;
    Py_ssize_t n, cap;
} point_set;

static uint64_t bits(double v) {
    uint64_t u;
    if (v == 0.0) v = 0.0; /* -0.0 hashes as 0.0 */
    memcpy(&u, &v, sizeof u);
    return u;
}

static size_t point_hash(point_t p) {
    uint64_t h = bits(p.x) * 0x9E3779B97F4A7C15ULL ^ (bits(p.y) + 0x632BE59BD9B4E019ULL);
    h ^= h >> 31;
    h *= 0xBF58476D1CE4E5B9ULL;
    h ^= h >> 29;
    return (size_t)h;
}

static int set_init(point_set *s, Py_ssize_t expected) {
    size_t size = 16;
    while (size < 2 * (size_t)expected + 2) size <<= 1;
    s->slots = malloc(size * sizeof *s->slots);
    s->points = malloc((size_t)(expected + 1) * sizeof *s->points);
    s->mask = size - 1;
    s->n = 0;
    s->cap = expected + 1;
    if (!s->slots || !s->points) return -1;
    memset(s->slots, 0xff, size * sizeof *s->slots);
    return 0;
}

static void set_free(point_set *s) {
    free(s->slots);
    free(s->points);
}

static void set_clear(point_set *s) {
    memset(s->slots, 0xff, (s->mask + 1) * sizeof *s->slots);
    s->n = 0;
}

/* The point's index, or -1. */
static Py_ssize_t set_find(const point_set *s, point_t p) {
    for (size_t i = point_hash(p) & s->mask;; i = (i + 1) & s->mask) {
        Py_ssize_t k = s->slots[i];
        if (k < 0) return -1;
        if (s->points[k].x == p.x && s->points[k].y == p.y) return k;
    }
}

static int set_grow(point_set *s) {
    size_t size = (s->mask + 1) * 2;
    Py_ssize_t *slots = malloc(size * sizeof *slots);
    if (!slots) return -1;
    memset(slots, 0xff, size * sizeof *slots);
    for (Py_ssize_t k = 0; k < s->n; k++) {
        size_t i = point_hash(s->points[k]) & (size - 1);
        while (slots[i] >= 0) i = (i + 1) & (size - 1);
        slots[i] = k;
    }
    free(s->slots);
    s->slots = slots;
    s->mask = size - 1;
    return 0;
}

/* The point's index, added (as given: the first of equal points is kept) if new; -1 when
 * out of memory. */
static Py_ssize_t set_add(point_set *s, point_t p, int *added) {
    Py_ssize_t k = set_find(s, p);
    *added = 0;
    if (k >= 0) return k;
    if (s->n == s->cap) {
        Py_ssize_t cap = 2 * s->cap;
        point_t *points = realloc(s->points, (size_t)cap * sizeof *points);
        if (!points) return -1;
        s->points = points;
        s->cap = cap;
    }
    if (2 * (size_t)(s->n + 1) > s->mask + 1 && set_grow(s)) return -1;
    size_t i = point_hash(p) & s->mask;
    while (s->slots[i] >= 0) i = (i + 1) & s->mask;
    s->slots[i] = s->n;
    s->points[s->n] = p;
    *added = 1;
    return s->n++;
}

/* -- sorting --------------------------------------------------------------------------- */

static int by_double(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Edges ordered as pdfplumber's groupby wants them: horizontal ("h") before vertical,
 * then by position (top for a horizontal edge, x0 for a vertical one). */
static int by_line(const void *a, const void *b) {
    const edge_t *e = a, *f = b;
    if (e->vertical != f->vertical) return e->vertical - f->vertical;
    double p = e->vertical ? e->x0 : e->top, q = f->vertical ? f->x0 : f->top;
    if (p != q) return (p > q) - (p < q);
    return (e->at > f->at) - (e->at < f->at);
}

/* Within one line: by the start (x0 across, top down). */
static int by_start(const void *a, const void *b) {
    const edge_t *e = a, *f = b;
    double p = e->vertical ? e->top : e->x0, q = f->vertical ? f->top : f->x0;
    if (p != q) return (p > q) - (p < q);
    return (e->at > f->at) - (e->at < f->at);
}

static int by_x0_top(const void *a, const void *b) {
    const edge_t *e = a, *f = b;
    if (e->x0 != f->x0) return (e->x0 > f->x0) - (e->x0 < f->x0);
    if (e->top != f->top) return (e->top > f->top) - (e->top < f->top);
    return (e->at > f->at) - (e->at < f->at);
}

static int by_top_x0(const void *a, const void *b) {
    const edge_t *e = a, *f = b;
    if (e->top != f->top) return (e->top > f->top) - (e->top < f->top);
    if (e->x0 != f->x0) return (e->x0 > f->x0) - (e->x0 < f->x0);
    return (e->at > f->at) - (e->at < f->at);
}

static void renumber(edge_t *e, Py_ssize_t n) {
    for (Py_ssize_t i = 0; i < n; i++) e[i].at = i;
}

/* -- snapping: pdfplumber's snap_objects ---------------------------------------------- */

/* Python's own sum of the doubles (whatever summation that Python uses), or -1. */
static int python_sum(const double *values, Py_ssize_t n, double *total) {
    PyObject *list = PyList_New(n);
    if (!list) return -1;
    for (Py_ssize_t i = 0; i < n; i++) {
        PyObject *v = PyFloat_FromDouble(values[i]);
        if (!v) {
            Py_DECREF(list);
            return -1;
        }
        PyList_SET_ITEM(list, i, v);
    }
    PyObject *builtins = PyEval_GetBuiltins(); /* borrowed */
    PyObject *sum = builtins ? PyDict_GetItemString(builtins, "sum") : NULL;
    PyObject *result = sum ? PyObject_CallOneArg(sum, list) : NULL;
    Py_DECREF(list);
    if (!result) {
        if (!PyErr_Occurred()) PyErr_SetString(PyExc_RuntimeError, "tables: no builtin sum");
        return -1;
    }
    *total = PyFloat_AsDouble(result);
    Py_DECREF(result);
    return (*total == -1.0 && PyErr_Occurred()) ? -1 : 0;
}

/* Edges within `tolerance` of each other (chained, on x0 for vertical edges and top for
 * horizontal ones) moved to their cluster's mean: clusters in order of value, each in the
 * edges' order. Writes `n` edges to `out`. */
static int snap(const edge_t *edges, Py_ssize_t n, double tolerance, edge_t *out) {
    if (!n) return 0;
    int rc = -1;
    double *keys = malloc((size_t)n * sizeof *keys), *unique = malloc((size_t)n * sizeof *unique);
    Py_ssize_t *cluster = malloc((size_t)n * sizeof *cluster);
    Py_ssize_t *ids = malloc((size_t)n * sizeof *ids), *start = NULL;
    double *members = malloc((size_t)n * sizeof *members);
    if (!keys || !unique || !cluster || !ids || !members) {
        PyErr_NoMemory();
        goto done;
    }
    for (Py_ssize_t i = 0; i < n; i++) keys[i] = unique[i] = edges[i].vertical ? edges[i].x0 : edges[i].top;
    qsort(unique, (size_t)n, sizeof *unique, by_double);
    Py_ssize_t u = 0; /* distinct values, as a Python set keeps them */
    for (Py_ssize_t i = 0; i < n; i++)
        if (!u || unique[i] != unique[u - 1]) unique[u++] = unique[i];
    /* cluster_list: a value within `tolerance` of the one before joins its cluster */
    Py_ssize_t clusters = 0;
    for (Py_ssize_t k = 0; k < u; k++) {
        int chained = tolerance != 0 && u >= 2 && k > 0 && unique[k] <= unique[k - 1] + tolerance;
        cluster[k] = chained ? cluster[k - 1] : clusters++;
    }
    start = calloc((size_t)clusters + 1, sizeof *start);
    if (!start) {
        PyErr_NoMemory();
        goto done;
    }
    for (Py_ssize_t i = 0; i < n; i++) { /* each edge's cluster, by its value's place */
        Py_ssize_t lo = 0, hi = u - 1;
        while (lo < hi) {
            Py_ssize_t mid = (lo + hi) / 2;
            if (unique[mid] < keys[i]) lo = mid + 1;
            else hi = mid;
        }
        ids[i] = cluster[lo];
        start[ids[i] + 1]++;
    }
    for (Py_ssize_t c = 0; c < clusters; c++) start[c + 1] += start[c];
    Py_ssize_t *order = cluster; /* reused: edges by cluster, stable (a counting sort) */
    Py_ssize_t *fill = malloc((size_t)clusters * sizeof *fill);
    if (!fill) {
        PyErr_NoMemory();
        goto done;
    }
    memcpy(fill, start, (size_t)clusters * sizeof *fill);
    for (Py_ssize_t i = 0; i < n; i++) order[fill[ids[i]]++] = i;
    free(fill);
    for (Py_ssize_t c = 0; c < clusters; c++) {
        Py_ssize_t a = start[c], b = start[c + 1];
        for (Py_ssize_t j = a; j < b; j++) members[j - a] = keys[order[j]];
        double total;
        if (python_sum(members, b - a, &total)) goto done;
        double mean = total / (double)(b - a);
        for (Py_ssize_t j = a; j < b; j++) {
            edge_t e = edges[order[j]];
            double shift = mean - keys[order[j]];
            if (e.vertical) { /* a vertical edge moves across */
                e.x0 = e.x0 + shift;
                e.x1 = e.x1 + shift;
            } else { /* a horizontal one moves down */
                e.top = e.top + shift;
                e.bottom = e.bottom + shift;
            }
            out[j] = e;
        }
    }
    rc = 0;
done:
    free(keys);
    free(unique);
    free(cluster);
    free(ids);
    free(start);
    free(members);
    return rc;
}

/* -- joining: pdfplumber's join_edge_group -------------------------------------------- */

/* Edges on one line that touch or overlap (within the tolerance) made one; returns how
 * many edges are left in `e` (sorted in place), or -1 (AssertionError, as pdfplumber's
 * resize_object asserts). */
static Py_ssize_t join(edge_t *e, Py_ssize_t n, double join_x, double join_y) {
    renumber(e, n);
    qsort(e, (size_t)n, sizeof *e, by_line);
    Py_ssize_t kept = 0;
    for (Py_ssize_t a = 0; a < n;) {
        Py_ssize_t b = a + 1;
        double at = e[a].vertical ? e[a].x0 : e[a].top;
        while (b < n && e[b].vertical == e[a].vertical && (e[b].vertical ? e[b].x0 : e[b].top) == at)
            b++;
        renumber(e + a, b - a);
        qsort(e + a, (size_t)(b - a), sizeof *e, by_start);
        int vertical = e[a].vertical;
        double tolerance = vertical ? join_y : join_x;
        Py_ssize_t first = kept;
        for (Py_ssize_t i = a; i < b; i++) {
            edge_t next = e[i];
            if (kept == first) {
                e[kept++] = next;
                continue;
            }
            edge_t *last = &e[kept - 1];
            if (vertical) {
                if (next.top <= last->bottom + tolerance) {
                    if (next.bottom > last->bottom) {
                        if (!(next.bottom >= last->top)) goto failed;
                        last->height = last->height + (next.bottom - last->bottom);
                        last->bottom = next.bottom;
                    }
                } else e[kept++] = next;
            } else {
                if (next.x0 <= last->x1 + tolerance) {
                    if (next.x1 > last->x1) {
                        if (!(next.x1 >= last->x0)) goto failed;
                        last->x1 = next.x1;
                        last->width = next.x1 - last->x0;
                    }
                } else e[kept++] = next;
            }
        }
        a = b;
    }
    return kept;
failed:
    PyErr_SetString(PyExc_AssertionError, "tables: an edge would be resized past its start");
    return -1;
}

/* -- crossings and cells --------------------------------------------------------------- */

typedef struct {
    Py_ssize_t point, edge;
} touch_t;

static int by_point(const void *a, const void *b) {
    const touch_t *s = a, *t = b;
    if (s->point != t->point) return (s->point > t->point) - (s->point < t->point);
    return (s->edge > t->edge) - (s->edge < t->edge);
}

typedef struct {
    double box[4]; /* x0, top, x1, bottom */
    Py_ssize_t at;
} boxed_t;

static int by_box(const void *a, const void *b) {
    const boxed_t *p = a, *q = b;
    for (int c = 0; c < 4; c++)
        if (p->box[c] != q->box[c]) return (p->box[c] > q->box[c]) - (p->box[c] < q->box[c]);
    return (p->at > q->at) - (p->at < q->at);
}

/* Each edge's id as a member of a Python set of boxes (x0, top, x1, bottom): the first
 * edge of its box. */
static int same_box(const edge_t *e, Py_ssize_t n, Py_ssize_t *canon) {
    boxed_t *order = malloc((size_t)(n ? n : 1) * sizeof *order);
    if (!order) return -1;
    for (Py_ssize_t i = 0; i < n; i++)
        order[i] = (boxed_t){{e[i].x0, e[i].top, e[i].x1, e[i].bottom}, i};
    qsort(order, (size_t)n, sizeof *order, by_box);
    for (Py_ssize_t i = 0; i < n; i++) {
        const double *p = order[i > 0 ? i - 1 : 0].box, *q = order[i].box;
        int same = i > 0 && p[0] == q[0] && p[1] == q[1] && p[2] == q[2] && p[3] == q[3];
        canon[order[i].at] = same ? canon[order[i - 1].at] : order[i].at;
    }
    free(order);
    return 0;
}

/* Whether two sorted lists of edge ids share one. */
static int share(const Py_ssize_t *a, Py_ssize_t na, const Py_ssize_t *b, Py_ssize_t nb) {
    Py_ssize_t i = 0, j = 0;
    while (i < na && j < nb) {
        if (a[i] == b[j]) return 1;
        if (a[i] < b[j]) i++;
        else j++;
    }
    return 0;
}

typedef struct {
    double x0, top, x1, bottom;
} cell_t;

typedef struct {
    point_set points;      /* the crossings, in pdfplumber's insertion order */
    Py_ssize_t *v_start, *h_start; /* each point's vertical and horizontal edges: */
    Py_ssize_t *v_edges, *h_edges; /* box ids, sorted */
} crossings_t;

static void crossings_free(crossings_t *c) {
    set_free(&c->points);
    free(c->v_start);
    free(c->h_start);
    free(c->v_edges);
    free(c->h_edges);
}

/* The touches grouped by point: start offsets and the sorted, deduplicated edge ids. */
static int group_touches(touch_t *t, Py_ssize_t n, Py_ssize_t points, Py_ssize_t **start_out,
                         Py_ssize_t **edges_out) {
    qsort(t, (size_t)n, sizeof *t, by_point);
    Py_ssize_t *start = calloc((size_t)points + 1, sizeof *start);
    Py_ssize_t *edges = malloc((size_t)(n ? n : 1) * sizeof *edges);
    if (!start || !edges) {
        free(start);
        free(edges);
        return -1;
    }
    Py_ssize_t m = 0;
    for (Py_ssize_t i = 0; i < n; i++) {
        if (i && t[i].point == t[i - 1].point && t[i].edge == t[i - 1].edge) continue;
        edges[m++] = t[i].edge;
        start[t[i].point + 1]++;
    }
    for (Py_ssize_t p = 0; p < points; p++) start[p + 1] += start[p];
    *start_out = start;
    *edges_out = edges;
    return 0;
}

/* pdfplumber's edges_to_intersections. */
static int crossings(edge_t *e, Py_ssize_t n, double x_tol, double y_tol, crossings_t *out) {
    memset(out, 0, sizeof *out);
    int rc = -1;
    Py_ssize_t nv = 0, nh = 0;
    for (Py_ssize_t i = 0; i < n; i++) e[i].vertical ? nv++ : nh++;
    edge_t *v = malloc((size_t)(nv + 1) * sizeof *v), *h = malloc((size_t)(nh + 1) * sizeof *h);
    Py_ssize_t *v_box = malloc((size_t)(nv + 1) * sizeof *v_box);
    Py_ssize_t *h_box = malloc((size_t)(nh + 1) * sizeof *h_box);
    touch_t *tv = NULL, *th = NULL;
    Py_ssize_t touches = 0, room = 64;
    if (!v || !h || !v_box || !h_box || set_init(&out->points, 16)) goto done;
    nv = nh = 0;
    for (Py_ssize_t i = 0; i < n; i++) {
        if (e[i].vertical) {
            v[nv] = e[i];
            v[nv].at = nv;
            nv++;
        } else {
            h[nh] = e[i];
            h[nh].at = nh;
            nh++;
        }
    }
    qsort(v, (size_t)nv, sizeof *v, by_x0_top);
    qsort(h, (size_t)nh, sizeof *h, by_top_x0);
    if (same_box(v, nv, v_box) || same_box(h, nh, h_box)) goto done;
    tv = malloc((size_t)room * sizeof *tv);
    th = malloc((size_t)room * sizeof *th);
    if (!tv || !th) goto done;
    for (Py_ssize_t i = 0; i < nv; i++)
        for (Py_ssize_t j = 0; j < nh; j++) {
            if (v[i].top <= h[j].top + y_tol && v[i].bottom >= h[j].top - y_tol &&
                v[i].x0 >= h[j].x0 - x_tol && v[i].x0 <= h[j].x1 + x_tol) {
                int added;
                point_t p = {v[i].x0, h[j].top};
                Py_ssize_t k = set_add(&out->points, p, &added);
                if (k < 0) goto done;
                if (touches == room) {
                    room *= 2;
                    touch_t *a = realloc(tv, (size_t)room * sizeof *a);
                    if (!a) goto done;
                    tv = a;
                    touch_t *b = realloc(th, (size_t)room * sizeof *b);
                    if (!b) goto done;
                    th = b;
                }
                tv[touches] = (touch_t){k, v_box[i]};
                th[touches] = (touch_t){k, h_box[j]};
                touches++;
            }
        }
    if (group_touches(tv, touches, out->points.n, &out->v_start, &out->v_edges) ||
        group_touches(th, touches, out->points.n, &out->h_start, &out->h_edges))
        goto done;
    rc = 0;
done:
    if (rc) PyErr_NoMemory();
    free(v);
    free(h);
    free(v_box);
    free(h_box);
    free(tv);
    free(th);
    return rc;
}


typedef struct {
    double x, y;
    Py_ssize_t id;   /* the crossing's index */
    Py_ssize_t rank; /* its place in (x, y) order */
} place_t;

static int by_xy(const void *a, const void *b) {
    const place_t *p = a, *q = b;
    if (p->x != q->x) return (p->x > q->x) - (p->x < q->x);
    return (p->y > q->y) - (p->y < q->y);
}

static int by_y_rank(const void *a, const void *b) {
    const place_t *p = a, *q = b;
    if (p->y != q->y) return (p->y > q->y) - (p->y < q->y);
    return (p->rank > q->rank) - (p->rank < q->rank);
}

#define SHARES(kind, p, q)                                                                  \
    share(c->kind##_edges + c->kind##_start[p], c->kind##_start[(p) + 1] - c->kind##_start[p], \
          c->kind##_edges + c->kind##_start[q], c->kind##_start[(q) + 1] - c->kind##_start[q])

/* pdfplumber's intersections_to_cells: from each crossing, in (x, y) order, the smallest
 * box whose corners are crossings joined by edges. Returns the count of cells, or -1. */
static Py_ssize_t boxes(const crossings_t *c, cell_t **cells_out) {
    Py_ssize_t n = c->points.n, found = 0;
    place_t *at = malloc((size_t)(n ? n : 1) * sizeof *at);
    place_t *rows = malloc((size_t)(n ? n : 1) * sizeof *rows);
    Py_ssize_t *column_end = malloc((size_t)(n ? n : 1) * sizeof *column_end);
    Py_ssize_t *row_of = malloc((size_t)(n ? n : 1) * sizeof *row_of);
    Py_ssize_t *row_end = malloc((size_t)(n ? n : 1) * sizeof *row_end);
    cell_t *cells = malloc((size_t)(n ? n : 1) * sizeof *cells);
    if (!at || !rows || !column_end || !row_of || !row_end || !cells) {
        found = -1;
        goto done;
    }
    for (Py_ssize_t k = 0; k < n; k++) at[k] = (place_t){c->points.points[k].x, c->points.points[k].y, k, 0};
    qsort(at, (size_t)n, sizeof *at, by_xy);
    for (Py_ssize_t r = 0; r < n; r++) at[r].rank = r;
    for (Py_ssize_t r = n - 1; r >= 0; r--) /* the points below: the rest of the column */
        column_end[r] = (r + 1 < n && at[r + 1].x == at[r].x) ? column_end[r + 1] : r + 1;
    memcpy(rows, at, (size_t)n * sizeof *rows);
    qsort(rows, (size_t)n, sizeof *rows, by_y_rank);
    for (Py_ssize_t j = n - 1; j >= 0; j--) { /* the points right: the rest of the row */
        row_of[rows[j].rank] = j;
        row_end[j] = (j + 1 < n && rows[j + 1].y == rows[j].y) ? row_end[j + 1] : j + 1;
    }
    for (Py_ssize_t r = 0; r < n; r++) {
        const place_t *pt = &at[r];
        int done_here = 0;
        for (Py_ssize_t b = r + 1; b < column_end[r] && !done_here; b++) {
            const place_t *below = &at[b];
            if (!SHARES(v, pt->id, below->id)) continue;
            for (Py_ssize_t q = row_of[r] + 1; q < row_end[row_of[r]]; q++) {
                const place_t *right = &rows[q];
                if (!SHARES(h, pt->id, right->id)) continue;
                Py_ssize_t corner = set_find(&c->points, (point_t){right->x, below->y});
                if (corner >= 0 && SHARES(v, corner, right->id) && SHARES(h, corner, below->id)) {
                    cells[found++] = (cell_t){pt->x, pt->y, right->x, below->y};
                    done_here = 1;
                    break;
                }
            }
        }
    }
done:
    free(at);
    free(rows);
    free(column_end);
    free(row_of);
    free(row_end);
    if (found < 0) free(cells);
    else *cells_out = cells;
    return found;
}

/* -- tables: pdfplumber's cells_to_tables ---------------------------------------------- */

typedef struct {
    double top, x0; /* the table's topmost-then-leftmost corner */
    Py_ssize_t first, count, at;
} group_t;

static int by_corner(const void *a, const void *b) {
    const group_t *p = a, *q = b;
    if (p->top != q->top) return (p->top > q->top) - (p->top < q->top);
    if (p->x0 != q->x0) return (p->x0 > q->x0) - (p->x0 < q->x0);
    return (p->at > q->at) - (p->at < q->at);
}

static int add_corners(point_set *s, const cell_t *cell) {
    point_t corners[4] = {{cell->x0, cell->top}, {cell->x0, cell->bottom}, {cell->x1, cell->top},
                          {cell->x1, cell->bottom}};
    int added;
    for (int k = 0; k < 4; k++)
        if (set_add(s, corners[k], &added) < 0) return -1;
    return 0;
}

static int touches(const point_set *s, const cell_t *cell) {
    point_t corners[4] = {{cell->x0, cell->top}, {cell->x0, cell->bottom}, {cell->x1, cell->top},
                          {cell->x1, cell->bottom}};
    for (int k = 0; k < 4; k++)
        if (set_find(s, corners[k]) >= 0) return 1;
    return 0;
}

static PyObject *cell_tuple(const cell_t *c) {
    return Py_BuildValue("(dddd)", c->x0, c->top, c->x1, c->bottom);
}

/* Cells grouped into tables as pdfplumber groups them: a cell joins the table being built
 * when it shares a corner with it, passes over the cells left repeat until none joins;
 * tables by their top-left corner, those of one cell dropped. */
static PyObject *group_tables(const cell_t *cells, Py_ssize_t n) {
    PyObject *result = NULL;
    Py_ssize_t *remaining = malloc((size_t)(n ? n : 1) * sizeof *remaining);
    Py_ssize_t *order = malloc((size_t)(n ? n : 1) * sizeof *order); /* cells, table by table */
    group_t *groups = malloc((size_t)(n ? n : 1) * sizeof *groups);
    point_set corners;
    memset(&corners, 0, sizeof corners);
    if (!remaining || !order || !groups || set_init(&corners, 64)) {
        PyErr_NoMemory();
        goto done;
    }
    for (Py_ssize_t i = 0; i < n; i++) remaining[i] = i;
    Py_ssize_t left = n, placed = 0, tables = 0, current = 0; /* cells in the current table */
    while (left) {
        Py_ssize_t before = current, kept = 0;
        for (Py_ssize_t j = 0; j < left; j++) {
            const cell_t *cell = &cells[remaining[j]];
            if (current == 0 || touches(&corners, cell)) {
                if (add_corners(&corners, cell)) {
                    PyErr_NoMemory();
                    goto done;
                }
                order[placed + current++] = remaining[j];
            } else remaining[kept++] = remaining[j];
        }
        left = kept;
        if (current == before) { /* none joined: the table is complete */
            groups[tables] = (group_t){0, 0, placed, current, tables};
            tables++;
            placed += current;
            current = 0;
            set_clear(&corners);
        }
    }
    if (current) {
        groups[tables] = (group_t){0, 0, placed, current, tables};
        tables++;
        placed += current;
    }
    for (Py_ssize_t t = 0; t < tables; t++) {
        for (Py_ssize_t k = 0; k < groups[t].count; k++) {
            const cell_t *cell = &cells[order[groups[t].first + k]];
            if (k == 0 || cell->top < groups[t].top || (cell->top == groups[t].top && cell->x0 < groups[t].x0)) {
                groups[t].top = cell->top;
                groups[t].x0 = cell->x0;
            }
        }
    }
    qsort(groups, (size_t)tables, sizeof *groups, by_corner);
    result = PyList_New(0);
    for (Py_ssize_t t = 0; result && t < tables; t++) {
        if (groups[t].count < 2) continue;
        PyObject *table = PyList_New(groups[t].count);
        for (Py_ssize_t k = 0; table && k < groups[t].count; k++) {
            PyObject *cell = cell_tuple(&cells[order[groups[t].first + k]]);
            if (!cell) Py_CLEAR(table);
            else PyList_SET_ITEM(table, k, cell);
        }
        if (!table || PyList_Append(result, table)) Py_CLEAR(result);
        Py_XDECREF(table);
    }
done:
    free(remaining);
    free(order);
    free(groups);
    set_free(&corners);
    return result;
}

/* tables(edge floats, edge codes, min length before merging, snap x, snap y, join x,
 *        join y, min length, intersection x tolerance, intersection y tolerance)
 *   -> a list of tables, each a list of cells (x0, top, x1, bottom), as pdfplumber's
 *      TableFinder finds them with the "lines" strategies; None where an edge's place is
 *      not a finite number (NaN does not sort: such a page is left to Python).
 * Edge floats: float64 [n][7] x0, x1, top, bottom, doctop, width, height; codes: int8
 * [n][2] kind, orientation (0 none, 1 horizontal, 2 vertical), as `edges` gives them. */
static PyObject *tables(PyObject *self, PyObject *args) {
    Py_buffer fv, cv;
    double prefilter, snap_x, snap_y, join_x, join_y, least, x_tol, y_tol;
    if (!PyArg_ParseTuple(args, "y*y*dddddddd", &fv, &cv, &prefilter, &snap_x, &snap_y, &join_x,
                          &join_y, &least, &x_tol, &y_tol))
        return NULL;
    PyObject *result = NULL;
    const double *values = fv.buf;
    const int8_t *codes = cv.buf;
    Py_ssize_t n = cv.len / 2, kept = 0;
    edge_t *edges = NULL, *snapped = NULL;
    cell_t *cells = NULL;
    crossings_t found;
    memset(&found, 0, sizeof found);
    if (fv.len != n * (Py_ssize_t)(7 * sizeof(double)) || cv.len != 2 * n) {
        PyErr_SetString(PyExc_ValueError, "tables: edge floats and codes of different lengths");
        goto done;
    }
    edges = malloc((size_t)(n ? n : 1) * sizeof *edges);
    snapped = malloc((size_t)(n ? n : 1) * sizeof *snapped);
    if (!edges || !snapped) {
        PyErr_NoMemory();
        goto done;
    }
    for (int vertical = 1; vertical >= 0; vertical--) /* vertical edges first, as pdfplumber */
        for (Py_ssize_t i = 0; i < n; i++) {
            const double *v = values + 7 * i;
            if (codes[2 * i + 1] != (vertical ? 2 : 1)) continue;
            if (!((vertical ? v[6] : v[5]) >= prefilter)) continue;
            for (int k = 0; k < 7; k++)
                if (!isfinite(v[k])) {
                    result = Py_NewRef(Py_None);
                    goto done;
                }
            edges[kept++] = (edge_t){v[0], v[1], v[2], v[3], v[5], v[6], vertical, 0};
        }
    Py_ssize_t nv = 0;
    while (nv < kept && edges[nv].vertical) nv++;
    if (snap_x > 0 || snap_y > 0) {
        if (snap(edges, nv, snap_x, snapped) || snap(edges + nv, kept - nv, snap_y, snapped + nv))
            goto done;
        memcpy(edges, snapped, (size_t)kept * sizeof *edges);
    }
    Py_ssize_t joined = join(edges, kept, join_x, join_y);
    if (joined < 0) goto done;
    Py_ssize_t long_enough = 0;
    for (Py_ssize_t i = 0; i < joined; i++)
        if ((edges[i].vertical ? edges[i].height : edges[i].width) >= least) edges[long_enough++] = edges[i];
    if (crossings(edges, long_enough, x_tol, y_tol, &found)) goto done;
    Py_ssize_t count = boxes(&found, &cells);
    if (count < 0) {
        PyErr_NoMemory();
        goto done;
    }
    result = group_tables(cells, count);
done:
    free(edges);
    free(snapped);
    free(cells);
    crossings_free(&found);
    PyBuffer_Release(&fv);
    PyBuffer_Release(&cv);
    return result;
}

/* -- text lines: unruled.py's _lines ---------------------------------------------------- */

typedef struct {
    double x0, top, x1, bottom;
    double key;    /* what the run is sorted by */
    double second; /* and then by */
    Py_ssize_t at; /* and then by its place */
} run_t;

static int by_keys(const void *a, const void *b) {
    const run_t *p = a, *q = b;
    if (p->key != q->key) return (p->key > q->key) - (p->key < q->key);
    if (p->second != q->second) return (p->second > q->second) - (p->second < q->second);
    return (p->at > q->at) - (p->at < q->at);
}

/* Python's min(a, b) and max(a, b): the first unless the second is smaller (larger). */
static double py_min(double a, double b) { return b < a ? b : a; }
static double py_max(double a, double b) { return b > a ? b : a; }

static int same_line(const run_t *first, const run_t *run) {
    double shared = py_min(first->bottom, run->bottom) - py_max(first->top, run->top);
    return shared >= 0.4 * py_min(first->bottom - first->top, run->bottom - run->top);
}

static int by_double_value(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* A line's top (the least of its chunks' tops, as Python's min), bottom (the greatest)
 * and height (the median of its chunks' heights, as statistics.median; 1.0 for 0). */
static void line_extent(const double *chunks, Py_ssize_t n, double *heights, double *out) {
    double top = chunks[1], bottom = chunks[3];
    for (Py_ssize_t k = 0; k < n; k++) {
        const double *c = chunks + 4 * k;
        if (k) {
            top = py_min(top, c[1]);
            bottom = py_max(bottom, c[3]);
        }
        heights[k] = c[3] - c[1];
    }
    qsort(heights, (size_t)n, sizeof *heights, by_double_value);
    double median = n % 2 ? heights[n / 2] : (heights[n / 2 - 1] + heights[n / 2]) / 2;
    out[0] = top;
    out[1] = bottom;
    out[2] = median != 0.0 ? median : 1.0;
}

/* text_lines(runs: float64 [n][4] x0, top, x1, bottom; column gap)
 *   -> (chunks: float64 [m][4], line ends: int64 [lines], line extents: float64
 *      [lines][3] top, bottom, height), unruled.py's `_lines`: runs grouped into lines,
 *      each cut into chunks; None where a run's place is not a finite number (left to
 *      the Python grouping, which reads or refuses it as it always has). */
static PyObject *text_lines(PyObject *self, PyObject *args) {
    Py_buffer rb;
    double column_gap;
    if (!PyArg_ParseTuple(args, "y*d", &rb, &column_gap)) return NULL;
    PyObject *result = NULL;
    const double *in = rb.buf;
    Py_ssize_t n = rb.len / (Py_ssize_t)(4 * sizeof(double)), solid = 0, flat = 0;
    run_t *runs = malloc((size_t)(n ? n : 1) * sizeof *runs);
    run_t *flats = malloc((size_t)(n ? n : 1) * sizeof *flats);
    run_t *line = malloc((size_t)(2 * n + 1) * sizeof *line);
    Py_ssize_t room = n + 1; /* chunks: a flat run may be in several lines, so this grows */
    double *chunks = malloc((size_t)(4 * room) * sizeof *chunks);
    int64_t *ends = malloc((size_t)(n + 1) * sizeof *ends);
    double *extents = malloc((size_t)(3 * n + 3) * sizeof *extents);
    double *heights = malloc((size_t)(n + 1) * sizeof *heights);
    if (rb.len != n * (Py_ssize_t)(4 * sizeof(double))) {
        PyErr_SetString(PyExc_ValueError, "text_lines: runs are four numbers each");
        goto done;
    }
    if (!runs || !flats || !line || !chunks || !ends || !extents || !heights) {
        PyErr_NoMemory();
        goto done;
    }
    for (Py_ssize_t i = 0; i < n; i++) {
        run_t r = {in[4 * i], in[4 * i + 1], in[4 * i + 2], in[4 * i + 3], 0, 0, i};
        if (!(r.x1 > r.x0)) continue;
        int is_flat = r.bottom - r.top < 1.0, is_solid = r.bottom - r.top >= 1.0;
        if (!is_flat && !is_solid) continue;
        if (!isfinite(r.x0) || !isfinite(r.top) || !isfinite(r.x1) || !isfinite(r.bottom)) {
            result = Py_NewRef(Py_None);
            goto done;
        }
        if (is_flat) flats[flat++] = r;
        else {
            r.key = rint(r.top); /* round(): halves to even, as Python's */
            r.second = r.x0;
            runs[solid++] = r;
        }
    }
    qsort(runs, (size_t)solid, sizeof *runs, by_keys);
    Py_ssize_t made = 0, lines = 0;
    for (Py_ssize_t a = 0; a < solid;) {
        Py_ssize_t b = a + 1;
        while (b < solid && same_line(&runs[a], &runs[b])) b++;
        /* the line's runs, then the flat runs within its height; left to right */
        double top = runs[a].top, bottom = runs[a].bottom;
        for (Py_ssize_t i = a + 1; i < b; i++) {
            top = py_min(top, runs[i].top);
            bottom = py_max(bottom, runs[i].bottom);
        }
        Py_ssize_t m = 0;
        for (Py_ssize_t i = a; i < b; i++) line[m++] = runs[i];
        for (Py_ssize_t i = 0; i < flat; i++)
            if (top <= flats[i].top && flats[i].top <= bottom) line[m++] = flats[i];
        for (Py_ssize_t i = 0; i < m; i++) {
            line[i].key = line[i].x0;
            line[i].second = 0;
            line[i].at = i;
        }
        qsort(line, (size_t)m, sizeof *line, by_keys);
        if (made + m > room) { /* at most a chunk a run of the line */
            room = made + m > 2 * room ? made + m : 2 * room;
            double *more = realloc(chunks, (size_t)(4 * room) * sizeof *chunks);
            if (!more) {
                PyErr_NoMemory();
                goto done;
            }
            chunks = more;
        }
        run_t last = line[0];
        Py_ssize_t first = made;
        for (Py_ssize_t i = 1; i <= m; i++) {
            if (i < m) {
                const run_t *run = &line[i];
                double gap = column_gap * py_max(run->bottom - run->top, last.bottom - last.top);
                if (run->x0 - last.x1 <= gap) {
                    last.top = py_min(last.top, run->top);
                    last.x1 = py_max(last.x1, run->x1);
                    last.bottom = py_max(last.bottom, run->bottom);
                    continue;
                }
            }
            if (last.bottom - last.top >= 1.0) { /* a chunk of flat runs alone is none */
                double *c = chunks + 4 * made++;
                c[0] = last.x0;
                c[1] = last.top;
                c[2] = last.x1;
                c[3] = last.bottom;
            }
            if (i < m) last = line[i];
        }
        if (made > first) {
            line_extent(chunks + 4 * first, made - first, heights, extents + 3 * lines);
            ends[lines++] = made;
        }
        a = b;
    }
    result = Py_BuildValue("(y#y#y#)", (const char *)chunks, (Py_ssize_t)(4 * made * sizeof(double)),
                           (const char *)ends, (Py_ssize_t)(lines * sizeof(int64_t)),
                           (const char *)extents, (Py_ssize_t)(3 * lines * sizeof(double)));
done:
    free(runs);
    free(flats);
    free(line);
    free(chunks);
    free(ends);
    free(extents);
    free(heights);
    PyBuffer_Release(&rb);
    return result;
}

/* text_blocks(chunks, line ends, line extents: text_lines' three results; line gap, wrap
 *             gap, fewest split lines, ruled: float64 [t][4] boxes of ruled tables)
 *   -> int64 [blocks][2]: unruled.py's `_blocks` over those lines, each block as its first
 *      line and the line after its last (a block is a run of consecutive lines), but for
 *      those that `_overlaps_surely` one of the ruled tables. Only the lines of a block are
 *      then made Python objects: most of a page's lines are prose. */
typedef struct {
    const double *chunks; /* x0, top, x1, bottom */
    const int64_t *ends;
    const double *extents; /* top, bottom, height */
} lines_t;

static Py_ssize_t first_chunk(const lines_t *l, Py_ssize_t i) { return i ? l->ends[i - 1] : 0; }
static Py_ssize_t chunk_count(const lines_t *l, Py_ssize_t i) {
    return l->ends[i] - first_chunk(l, i);
}
static const double *chunk_at(const lines_t *l, Py_ssize_t i, Py_ssize_t k) {
    return l->chunks + 4 * (first_chunk(l, i) + k);
}

/* `_is_split`: two or more chunks, not a list marker hanging before its paragraph */
static int is_split(const lines_t *l, Py_ssize_t i) {
    Py_ssize_t n = chunk_count(l, i);
    if (n < 2) return 0;
    if (n > 2) return 1;
    const double *c = chunk_at(l, i, 0);
    return c[2] - c[0] > 2 * (c[3] - c[1]);
}

/* `_inside`: a one-chunk line indented into the block or narrow within its width */
static int is_inside(const lines_t *l, Py_ssize_t i, double x0, double x1) {
    const double *c = chunk_at(l, i, 0);
    double margin = 2 * (c[3] - c[1]);
    if (c[0] > x0 + margin) return 1;
    return x0 - margin <= c[0] && c[2] <= x1 + margin && c[2] - c[0] < 0.6 * (x1 - x0);
}

/* `_is_banner`: one chunk close above a line of three or more, clear of its first column */
static int is_banner(const lines_t *l, Py_ssize_t i, Py_ssize_t below, double wrap_gap) {
    if (chunk_count(l, i) != 1 || chunk_count(l, below) < 3) return 0;
    const double *e = l->extents + 3 * i, *b = l->extents + 3 * below;
    if (b[0] - e[1] > 2 * wrap_gap * b[2]) return 0;
    return chunk_at(l, i, 0)[0] > chunk_at(l, below, 0)[2];
}

/* `_widened`: the extent with the line's chunks in (the first of equals kept, as min/max) */
static void widen(const lines_t *l, Py_ssize_t i, double *x0, double *x1) {
    for (Py_ssize_t k = 0; k < chunk_count(l, i); k++) {
        const double *c = chunk_at(l, i, k);
        if (c[0] < *x0) *x0 = c[0];
        if (c[2] > *x1) *x1 = c[2];
    }
}

/* `_overlaps_surely`: a table read from lines [a, b) would overlap the box (x0, top, x1,
 * bottom): it spans the block's height, and the box holds every chunk of its split lines */
static int overlaps_surely(const lines_t *l, Py_ssize_t a, Py_ssize_t b, const double *box) {
    if (!(l->extents[3 * a] < box[3] && box[1] < l->extents[3 * (b - 1) + 1])) return 0;
    for (Py_ssize_t i = a; i < b; i++) {
        if (!is_split(l, i)) continue;
        for (Py_ssize_t k = 0; k < chunk_count(l, i); k++) {
            const double *c = chunk_at(l, i, k);
            if (!(box[0] <= c[0] && c[2] <= box[2])) return 0;
        }
    }
    return 1;
}

static PyObject *text_blocks(PyObject *self, PyObject *args) {
    Py_buffer cb, eb, xb, rb;
    double line_gap, wrap_gap;
    Py_ssize_t min_lines;
    if (!PyArg_ParseTuple(args, "y*y*y*ddny*", &cb, &eb, &xb, &line_gap, &wrap_gap, &min_lines,
                          &rb))
        return NULL;
    PyObject *result = NULL;
    Py_ssize_t n = eb.len / (Py_ssize_t)sizeof(int64_t);
    Py_ssize_t nchunks = cb.len / (Py_ssize_t)(4 * sizeof(double));
    Py_ssize_t nruled = rb.len / (Py_ssize_t)(4 * sizeof(double));
    const double *ruled = rb.buf;
    lines_t l = {cb.buf, eb.buf, xb.buf};
    int64_t *out = malloc((size_t)(2 * n + 2) * sizeof *out);
    Py_ssize_t found = 0;
    if (!out) {
        PyErr_NoMemory();
        goto done;
    }
    int valid = eb.len == n * (Py_ssize_t)sizeof(int64_t) &&
                xb.len == 3 * n * (Py_ssize_t)sizeof(double) &&
                cb.len == nchunks * (Py_ssize_t)(4 * sizeof(double)) &&
                rb.len == nruled * (Py_ssize_t)(4 * sizeof(double));
    for (Py_ssize_t i = 0; valid && i < n; i++)  /* every line has a chunk, inside the buffer */
        valid = l.ends[i] > (i ? l.ends[i - 1] : 0) && l.ends[i] <= nchunks;
    if (!valid) {
        PyErr_SetString(PyExc_ValueError, "text_blocks: not text_lines' results");
        goto done;
    }
    Py_ssize_t a = 0, b = 0, previous = -1; /* the current block: lines [a, b) */
    double x0 = 0.0, x1 = 0.0;
    for (Py_ssize_t i = 0; i <= n; i++) {
        if (i < n && b > a) {
            const double *e = l.extents + 3 * i, *last = l.extents + 3 * (b - 1);
            if (e[0] - last[1] <= line_gap * e[2] && (is_split(&l, i) || is_inside(&l, i, x0, x1))) {
                b = i + 1;
                widen(&l, i, &x0, &x1);
                previous = i;
                continue;
            }
        }
        while (b > a && !is_split(&l, b - 1)) b--; /* a table ends on a line of columns */
        Py_ssize_t split = 0;
        for (Py_ssize_t k = a; k < b; k++) split += is_split(&l, k);
        int covered = 0;
        for (Py_ssize_t t = 0; t < nruled && b > a && !covered; t++)
            covered = overlaps_surely(&l, a, b, ruled + 4 * t);
        if (b > a && split >= min_lines && !covered) { /* never an empty block */
            out[2 * found] = a;
            out[2 * found + 1] = b;
            found++;
        }
        if (i < n && is_split(&l, i)) {
            a = i;
            b = i + 1;
            if (previous >= 0 && is_banner(&l, previous, i, wrap_gap)) a = previous;
            x0 = chunk_at(&l, a, 0)[0];
            x1 = chunk_at(&l, a, 0)[2];
            for (Py_ssize_t k = a; k < b; k++) widen(&l, k, &x0, &x1);
        } else {
            a = b = 0;
        }
        previous = i < n ? i : -1;
    }
    result = PyBytes_FromStringAndSize((const char *)out, (Py_ssize_t)(2 * found * sizeof *out));
done:
    free(out);
    PyBuffer_Release(&cb);
    PyBuffer_Release(&eb);
    PyBuffer_Release(&xb);
    PyBuffer_Release(&rb);
    return result;
}

/* -- a ruled table's characters: ruled.py's _held_by and row bold shares ------------------ */

/* The first place in `keys` (sorted; NaN last) whose key is not below `value`, as numpy's
 * searchsorted (side "left"). */
static Py_ssize_t first_not_below(const double *keys, Py_ssize_t n, double value) {
    Py_ssize_t lo = 0, hi = n;
    while (lo < hi) {
        Py_ssize_t mid = lo + (hi - lo) / 2;
        if (keys[mid] < value) lo = mid + 1;
        else hi = mid;
    }
    return lo;
}

static int finite_box(const double *box) {
    return isfinite(box[0]) && isfinite(box[1]) && isfinite(box[2]) && isfinite(box[3]);
}

static int by_index(const void *a, const void *b) {
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

/* Indices sorted. A cell's characters come in height order, page order within a height,
 * nearly page order: insertion sort does next to no moves; past a few per item it leaves
 * the rest to qsort. */
static void sort_indices(int64_t *at, Py_ssize_t n) {
    Py_ssize_t moves = 0, budget = 4 * n + 32;
    for (Py_ssize_t k = 1; k < n; k++) {
        int64_t item = at[k];
        Py_ssize_t j = k;
        while (j > 0 && at[j - 1] > item) {
            at[j] = at[j - 1];
            j--;
        }
        at[j] = item;
        moves += k - j;
        if (moves > budget) {
            qsort(at, (size_t)n, sizeof *at, by_index);
            return;
        }
    }
}

/* held(keys: float64 [n] middle heights sorted, indices: int64 [n] their characters,
 *      mx: float64 [chars] middles across, boxes: float64 [cells][4])
 *   -> (at: int64, bounds: int64 [cells + 1]): cell k holds the characters
 *      at[bounds[k]:bounds[k + 1]], in page order: those its height spans (a slice of
 *      the sorted ones) whose middle lies across it. */
static PyObject *held(PyObject *self, PyObject *args) {
    Py_buffer kb, ib, mb, bb;
    if (!PyArg_ParseTuple(args, "y*y*y*y*", &kb, &ib, &mb, &bb)) return NULL;
    PyObject *result = NULL;
    const double *keys = kb.buf, *mx = mb.buf, *boxes = bb.buf;
    const int64_t *indices = ib.buf;
    Py_ssize_t n = kb.len / (Py_ssize_t)sizeof(double), chars = mb.len / (Py_ssize_t)sizeof(double);
    Py_ssize_t cells = bb.len / (Py_ssize_t)(4 * sizeof(double)), size = 0;
    int64_t *bounds = malloc((size_t)(cells + 1) * sizeof *bounds), *at = NULL;
    if (ib.len != n * (Py_ssize_t)sizeof(int64_t) || bb.len != cells * (Py_ssize_t)(4 * sizeof(double))) {
        PyErr_SetString(PyExc_ValueError, "held: arrays of different lengths");
        goto done;
    }
    for (Py_ssize_t j = 0; j < n; j++)
        if (indices[j] < 0 || indices[j] >= chars) {
            PyErr_SetString(PyExc_ValueError, "held: a character index out of range");
            goto done;
        }
    if (!bounds) {
        PyErr_NoMemory();
        goto done;
    }
    bounds[0] = 0;
    for (Py_ssize_t c = 0; c < cells; c++) {
        const double *box = boxes + 4 * c;
        Py_ssize_t lo = first_not_below(keys, n, box[1]), hi = first_not_below(keys, n, box[3]);
        if (!finite_box(box)) hi = lo; /* pdfplumber's tests all fail: no characters */
        int64_t count = 0;
        if (hi > lo && bounds[c] + (hi - lo) > size) { /* room for the whole slice */
            size = 2 * (bounds[c] + (hi - lo));
            int64_t *more = realloc(at, (size_t)size * sizeof *at);
            if (!more) {
                PyErr_NoMemory();
                goto done;
            }
            at = more;
        }
        for (Py_ssize_t j = lo; j < hi; j++) {
            int64_t i = indices[j];
            if (box[0] <= mx[i] && mx[i] < box[2]) at[bounds[c] + count++] = i;
        }
        if (count > 1) sort_indices(at + bounds[c], count);
        bounds[c + 1] = bounds[c] + count;
    }
    result = Py_BuildValue("(y#y#)", at ? (const char *)at : "", (Py_ssize_t)(bounds[cells] * (Py_ssize_t)sizeof(int64_t)),
                           (const char *)bounds, (Py_ssize_t)((cells + 1) * sizeof(int64_t)));
done:
    free(at);
    free(bounds);
    PyBuffer_Release(&kb);
    PyBuffer_Release(&ib);
    PyBuffer_Release(&mb);
    PyBuffer_Release(&bb);
    return result;
}

/* letters_in(keys: float64 [n] tops sorted, indices: int64 [n] their letters, x0: float64
 *            [chars], bold: bool [chars], spans: float64 [rows][4])
 *   -> (letters: int64 [rows], bold ones: int64 [rows]): the letters whose top left
 *      corner lies in each row's box. */
static PyObject *letters_in(PyObject *self, PyObject *args) {
    Py_buffer kb, ib, xb, bb, sb;
    if (!PyArg_ParseTuple(args, "y*y*y*y*y*", &kb, &ib, &xb, &bb, &sb)) return NULL;
    PyObject *result = NULL;
    const double *keys = kb.buf, *x0 = xb.buf, *spans = sb.buf;
    const int64_t *indices = ib.buf;
    const uint8_t *bold = bb.buf;
    Py_ssize_t n = kb.len / (Py_ssize_t)sizeof(double), chars = xb.len / (Py_ssize_t)sizeof(double);
    Py_ssize_t rows = sb.len / (Py_ssize_t)(4 * sizeof(double));
    int64_t *counts = malloc((size_t)(2 * rows + 1) * sizeof *counts);
    if (ib.len != n * (Py_ssize_t)sizeof(int64_t) || bb.len != chars ||
        sb.len != rows * (Py_ssize_t)(4 * sizeof(double))) {
        PyErr_SetString(PyExc_ValueError, "letters_in: arrays of different lengths");
        goto done;
    }
    for (Py_ssize_t j = 0; j < n; j++)
        if (indices[j] < 0 || indices[j] >= chars) {
            PyErr_SetString(PyExc_ValueError, "letters_in: a character index out of range");
            goto done;
        }
    if (!counts) {
        PyErr_NoMemory();
        goto done;
    }
    for (Py_ssize_t r = 0; r < rows; r++) {
        const double *span = spans + 4 * r;
        Py_ssize_t lo = first_not_below(keys, n, span[1]), hi = first_not_below(keys, n, span[3]);
        if (!finite_box(span)) hi = lo; /* no letter's corner lies in it */
        int64_t all = 0, heavy = 0;
        for (Py_ssize_t j = lo; j < hi; j++) {
            int64_t i = indices[j];
            if (span[0] <= x0[i] && x0[i] < span[2]) {
                all++;
                heavy += bold[i] != 0;
            }
        }
        counts[r] = all;
        counts[rows + r] = heavy;
    }
    result = Py_BuildValue("(y#y#)", (const char *)counts, (Py_ssize_t)(rows * sizeof(int64_t)),
                           (const char *)(counts + rows), (Py_ssize_t)(rows * sizeof(int64_t)));
done:
    free(counts);
    PyBuffer_Release(&kb);
    PyBuffer_Release(&ib);
    PyBuffer_Release(&xb);
    PyBuffer_Release(&bb);
    PyBuffer_Release(&sb);
    return result;
}

/* -- a page's characters as pdfplumber's: ruled.py's _chars --------------------------------- */

/* Whether PDFium made the character up where it saw a word break (a space, CR or LF of
 * its own, with no box). */
static int made_up(int8_t generated, uint32_t code) {
    return generated == 1 && (code == 32 || code == 13 || code == 10);
}

typedef struct {
    uint64_t object;
    Py_ssize_t at;  /* the run's first character */
    Py_ssize_t run; /* the run's number, in page order */
} object_at;

static int by_object(const void *a, const void *b) {
    const object_at *p = a, *q = b;
    if (p->object != q->object) return (p->object > q->object) - (p->object < q->object);
    return (p->at > q->at) - (p->at < q->at);
}

/* char_objects(objects: uint64 [n], generated: int8 [n], codes: uint32 [n])
 *   -> (first: int64 [m], which: int64 [n]): the text objects of the characters PDFium did
 *      not make up, in order of address (np.unique's), the first character of each, and
 *      each character's object among them (-1 where made up). An object's characters
 *      mostly come one after another: the runs of one object are sorted, not every
 *      character. */
static PyObject *char_objects(PyObject *self, PyObject *args) {
    Py_buffer ob, gb, cb;
    if (!PyArg_ParseTuple(args, "y*y*y*", &ob, &gb, &cb)) return NULL;
    PyObject *result = NULL;
    Py_ssize_t n = gb.len;
    const uint64_t *objects = ob.buf;
    const int8_t *generated = gb.buf;
    const uint32_t *codes = cb.buf;
    object_at *order = malloc((size_t)(n ? n : 1) * sizeof *order);
    int64_t *first = malloc((size_t)(n ? n : 1) * sizeof *first);
    int64_t *which = malloc((size_t)(n ? n : 1) * sizeof *which);
    int64_t *object_of_run = malloc((size_t)(n ? n : 1) * sizeof *object_of_run);
    if (ob.len != n * (Py_ssize_t)sizeof(uint64_t) || cb.len != n * (Py_ssize_t)sizeof(uint32_t)) {
        PyErr_SetString(PyExc_ValueError, "char_objects: arrays of different lengths");
        goto done;
    }
    if (!order || !first || !which || !object_of_run) {
        PyErr_NoMemory();
        goto done;
    }
    Py_ssize_t runs = 0, m = 0;
    for (Py_ssize_t i = 0; i < n; i++) { /* runs of one object among the characters kept */
        if (made_up(generated[i], codes[i])) continue;
        if (runs == 0 || objects[i] != order[runs - 1].object)
            order[runs] = (object_at){objects[i], i, runs}, runs++;
    }
    qsort(order, (size_t)runs, sizeof *order, by_object);
    for (Py_ssize_t k = 0; k < runs; k++) {
        if (k == 0 || order[k].object != order[k - 1].object) first[m++] = order[k].at;
        object_of_run[order[k].run] = m - 1;
    }
    Py_ssize_t run = -1;
    uint64_t last = 0;
    for (Py_ssize_t i = 0; i < n; i++) { /* the same runs again, each its object's number */
        which[i] = -1;
        if (made_up(generated[i], codes[i])) continue;
        if (run < 0 || objects[i] != last) run++, last = objects[i];
        which[i] = object_of_run[run];
    }
    result = Py_BuildValue("(y#y#)", (const char *)first, (Py_ssize_t)(m * sizeof(int64_t)),
                           (const char *)which, (Py_ssize_t)(n * sizeof(int64_t)));
done:
    free(order);
    free(first);
    free(which);
    free(object_of_run);
    PyBuffer_Release(&ob);
    PyBuffer_Release(&gb);
    PyBuffer_Release(&cb);
    return result;
}

/* kept_chars(boxes: float32 [n][4] PDFium's loose boxes (left, top, right, bottom),
 *            codes: uint32 [n], generated: int8 [n], which: int64 [n], sizes: float64 [m]
 *            (each object's font size on the page), height, within: float64 [t][4])
 *   -> (source: int64, left, x1, top, bottom: float64, kinds: int64, letters: uint32),
 *      one entry per character kept (its middle inside one of the boxes `within`; not
 *      made up, not NUL, CR or LF), and after one followed by a made-up space (and not a
 *      space itself) a space of its own at its right edge: pdfminer boxes a glyph from
 *      the descent (the loose box's bottom) up one font size; a hyphen PDFium marks at a
 *      line end (2, 0xFFFE) reads "-". */
static PyObject *kept_chars(PyObject *self, PyObject *args) {
    Py_buffer bb, cb, gb, wb, sb, tb;
    double height;
    if (!PyArg_ParseTuple(args, "y*y*y*y*y*dy*", &bb, &cb, &gb, &wb, &sb, &height, &tb)) return NULL;
    PyObject *result = NULL;
    Py_ssize_t n = gb.len, faces = sb.len / (Py_ssize_t)sizeof(double);
    Py_ssize_t tables = tb.len / (Py_ssize_t)(4 * sizeof(double));
    const float *boxes = bb.buf;
    const uint32_t *codes = cb.buf;
    const int8_t *generated = gb.buf;
    const int64_t *which = wb.buf;
    const double *sizes = sb.buf, *within = tb.buf;
    /* at most two entries a character */
    int64_t *source = malloc((size_t)(2 * n + 1) * sizeof *source);
    int64_t *kinds = malloc((size_t)(2 * n + 1) * sizeof *kinds);
    uint32_t *letters = malloc((size_t)(2 * n + 1) * sizeof *letters);
    double *places = malloc((size_t)(8 * n + 4) * sizeof *places); /* left, x1, top, bottom */
    if (bb.len != n * (Py_ssize_t)(4 * sizeof(float)) || cb.len != n * (Py_ssize_t)sizeof(uint32_t) ||
        wb.len != n * (Py_ssize_t)sizeof(int64_t) || tb.len != tables * (Py_ssize_t)(4 * sizeof(double))) {
        PyErr_SetString(PyExc_ValueError, "kept_chars: arrays of different lengths");
        goto done;
    }
    for (Py_ssize_t i = 0; i < n; i++)
        if (which[i] >= faces || (which[i] < 0 && !made_up(generated[i], codes[i]))) {
            PyErr_SetString(PyExc_ValueError, "kept_chars: a character of no known object");
            goto done;
        }
    if (!source || !kinds || !letters || !places) {
        PyErr_NoMemory();
        goto done;
    }
    Py_ssize_t k = 0;
    for (Py_ssize_t i = 0; i < n; i++) {
        uint32_t code = codes[i];
        if (made_up(generated[i], code) || code == 0 || code == 10 || code == 13) continue;
        double x0 = (double)boxes[4 * i], x1 = (double)boxes[4 * i + 2];
        double bottom = height - (double)boxes[4 * i + 3];
        double top = bottom - sizes[which[i]];
        double mx = (x0 + x1) / 2, my = (top + bottom) / 2;
        int inside = 0;
        for (Py_ssize_t t = 0; t < tables && !inside; t++) {
            const double *w = within + 4 * t;
            inside = w[0] <= mx && mx < w[2] && w[1] <= my && my < w[3];
        }
        if (!inside) continue;
        int spaced = code != 32 && i + 1 < n && made_up(generated[i + 1], codes[i + 1]) &&
                     codes[i + 1] == 32;
        for (int copy = 0; copy <= spaced; copy++, k++) {
            source[k] = i;
            kinds[k] = which[i];
            letters[k] = copy ? 32 : (code == 0x02 || code == 0xFFFE) ? (uint32_t)'-' : code;
            double *place = places + 4 * k;
            place[0] = copy ? x1 : x0;
            place[1] = x1;
            place[2] = top;
            place[3] = bottom;
        }
    }
    result = Py_BuildValue("(y#y#y#y#)", (const char *)source, (Py_ssize_t)(k * sizeof(int64_t)),
                           (const char *)places, (Py_ssize_t)(4 * k * sizeof(double)),
                           (const char *)kinds, (Py_ssize_t)(k * sizeof(int64_t)),
                           (const char *)letters, (Py_ssize_t)(k * sizeof(uint32_t)));
done:
    free(source);
    free(kinds);
    free(letters);
    free(places);
    PyBuffer_Release(&bb);
    PyBuffer_Release(&cb);
    PyBuffer_Release(&gb);
    PyBuffer_Release(&wb);
    PyBuffer_Release(&sb);
    PyBuffer_Release(&tb);
    return result;
}

/* -- the line above a table: unruled.py's _span_above ------------------------------------ */

/* The smaller (larger) of two values, NaN once either is, as numpy's min (max). */
static double least(double kept, double v) { return isnan(kept) || (!isnan(v) && kept <= v) ? kept : v; }
static double most(double kept, double v) { return isnan(kept) || (!isnan(v) && kept >= v) ? kept : v; }

/* span_above(boxes: float64 [n][4] x0, top, x1, bottom, top, reach)
 *   -> (x0, top, x1, bottom) of the last line of runs above `top`, or None: the runs at
 *      least 1 pt high whose middle is above it; of those ending within `reach` of it,
 *      the lowest (the first of equal ones), and the runs above sharing 40% of the
 *      smaller height with it. */
static PyObject *span_above(PyObject *self, PyObject *args) {
    Py_buffer bb;
    double top, reach;
    if (!PyArg_ParseTuple(args, "y*dd", &bb, &top, &reach)) return NULL;
    PyObject *result = NULL;
    const double *b = bb.buf;
    Py_ssize_t n = bb.len / (Py_ssize_t)(4 * sizeof(double)), last = -1;
    if (bb.len != n * (Py_ssize_t)(4 * sizeof(double))) {
        PyErr_SetString(PyExc_ValueError, "span_above: boxes of four values");
        goto done;
    }
    double lowest = 0;
    for (Py_ssize_t i = 0; i < n; i++) {
        double t = b[4 * i + 1], bottom = b[4 * i + 3];
        if (!(bottom - t >= 1.0 && (t + bottom) / 2 < top && bottom >= top - reach)) continue;
        if (last < 0 || t + bottom > lowest) {
            last = i;
            lowest = t + bottom;
        }
    }
    if (last < 0) {
        result = Py_NewRef(Py_None);
        goto done;
    }
    double lt = b[4 * last + 1], lb = b[4 * last + 3], lh = lb - lt, span[4];
    int first = 1;
    for (Py_ssize_t i = 0; i < n; i++) {
        const double *r = b + 4 * i;
        double h = r[3] - r[1];
        if (!(h >= 1.0 && (r[1] + r[3]) / 2 < top)) continue;
        double shared = (lb < r[3] ? lb : r[3]) - (lt > r[1] ? lt : r[1]);
        if (!(shared >= 0.4 * (lh < h ? lh : h))) continue;
        if (first) memcpy(span, r, sizeof span);
        else {
            span[0] = least(span[0], r[0]);
            span[1] = least(span[1], r[1]);
            span[2] = most(span[2], r[2]);
            span[3] = most(span[3], r[3]);
        }
        first = 0;
    }
    result = Py_BuildValue("(dddd)", span[0], span[1], span[2], span[3]);
done:
    PyBuffer_Release(&bb);
    return result;
}

/* -- rows: pdfplumber's Table.rows ------------------------------------------------------ */

typedef struct {
    double top, x0;
    Py_ssize_t at; /* the cell's place in the table: Python's sort is stable */
} row_key;

static int by_row_place(const void *a, const void *b) {
    const row_key *p = a, *q = b;
    if (p->top != q->top) return (p->top > q->top) - (p->top < q->top);
    if (p->x0 != q->x0) return (p->x0 > q->x0) - (p->x0 < q->x0);
    return (p->at > q->at) - (p->at < q->at);
}

static int by_value(const void *a, const void *b) {
    double p = *(const double *)a, q = *(const double *)b;
    return (p > q) - (p < q);
}

/* table_rows(cells: list of (x0, top, x1, bottom)) -> (rows, spans, boxes), or None where
 * a value is not a finite float (left to pdfplumber). As pdfplumber's Table.rows: the
 * cells sorted by top, then x0 (stably), grouped by top; each row a cell (the same
 * object) or None in each column, the columns being the table's distinct x0s, the last
 * cell of a row at an x0 taking its place. spans: float64 [rows][4], each row's bbox (the
 * first of equal minima or maxima, as min and max); boxes: float64 [cells][4], the cells
 * the rows hold, row by row. */
static PyObject *table_rows(PyObject *self, PyObject *cells) {
    if (!PyList_Check(cells)) {
        PyErr_SetString(PyExc_TypeError, "table_rows: a list of cells");
        return NULL;
    }
    Py_ssize_t n = PyList_GET_SIZE(cells), n_rows = 0, n_boxes = 0, n_xs = 0;
    PyObject *result = NULL, *rows = NULL;
    double *values = malloc((size_t)(n ? n : 1) * 4 * sizeof *values);
    double *xs = malloc((size_t)(n ? n : 1) * sizeof *xs);
    row_key *keys = malloc((size_t)(n ? n : 1) * sizeof *keys);
    Py_ssize_t *slot = malloc((size_t)(n ? n : 1) * sizeof *slot); /* a row's cell by column */
    double *spans = malloc((size_t)(n ? n : 1) * 4 * sizeof *spans);
    double *boxes = malloc((size_t)(n ? n : 1) * 4 * sizeof *boxes);
    if (!values || !xs || !keys || !slot || !spans || !boxes) {
        PyErr_NoMemory();
        goto done;
    }
    for (Py_ssize_t i = 0; i < n; i++) {
        PyObject *cell = PyList_GET_ITEM(cells, i);
        if (!PyTuple_CheckExact(cell) || PyTuple_GET_SIZE(cell) != 4) goto not_floats;
        for (int k = 0; k < 4; k++) {
            PyObject *v = PyTuple_GET_ITEM(cell, k);
            if (!PyFloat_CheckExact(v) || !isfinite(PyFloat_AS_DOUBLE(v))) goto not_floats;
            values[4 * i + k] = PyFloat_AS_DOUBLE(v);
        }
        keys[i] = (row_key){values[4 * i + 1], values[4 * i], i};
        xs[i] = values[4 * i];
    }
    qsort(keys, (size_t)n, sizeof *keys, by_row_place);
    qsort(xs, (size_t)n, sizeof *xs, by_value);
    for (Py_ssize_t i = 0; i < n; i++) /* distinct x0s (0.0 and -0.0 are one, as in a set) */
        if (n_xs == 0 || xs[i] != xs[n_xs - 1]) xs[n_xs++] = xs[i];
    rows = PyList_New(0);
    if (!rows) goto done;
    for (Py_ssize_t a = 0, b; a < n; a = b) { /* a row: the cells of one top */
        for (b = a; b < n && keys[b].top == keys[a].top; b++) {}
        for (Py_ssize_t c = 0; c < n_xs; c++) slot[c] = -1;
        for (Py_ssize_t k = a; k < b; k++) { /* its column: xs holds every cell's x0 */
            Py_ssize_t lo = 0, hi = n_xs - 1;
            while (lo < hi) {
                Py_ssize_t mid = (lo + hi) / 2;
                if (xs[mid] < keys[k].x0) lo = mid + 1;
                else hi = mid;
            }
            slot[lo] = keys[k].at;
        }
        PyObject *row = PyList_New(n_xs);
        if (!row || PyList_Append(rows, row)) {
            Py_XDECREF(row);
            goto done;
        }
        Py_DECREF(row);
        double *span = spans + 4 * n_rows++;
        int first = 1;
        for (Py_ssize_t c = 0; c < n_xs; c++) {
            if (slot[c] < 0) {
                PyList_SET_ITEM(row, c, Py_NewRef(Py_None));
                continue;
            }
            PyList_SET_ITEM(row, c, Py_NewRef(PyList_GET_ITEM(cells, slot[c])));
            const double *v = values + 4 * slot[c];
            memcpy(boxes + 4 * n_boxes++, v, 4 * sizeof *v);
            if (first || v[0] < span[0]) span[0] = v[0];
            if (first || v[1] < span[1]) span[1] = v[1];
            if (first || v[2] > span[2]) span[2] = v[2];
            if (first || v[3] > span[3]) span[3] = v[3];
            first = 0;
        }
    }
    result = Py_BuildValue("(Oy#y#)", rows, (const char *)spans,
                           (Py_ssize_t)(4 * n_rows * sizeof(double)), (const char *)boxes,
                           (Py_ssize_t)(4 * n_boxes * sizeof(double)));
    goto done;
not_floats:
    result = Py_NewRef(Py_None);
done:
    Py_XDECREF(rows);
    free(values);
    free(xs);
    free(keys);
    free(slot);
    free(spans);
    free(boxes);
    return result;
}

/* -- rounded cells: ruled.py's rounded_boxes --------------------------------------------- */

/* round(value, digits), a float's once per call (`once`): a grid's cells share their
 * edges. 0.0 and -0.0 are one key, so a zero is rounded as it is, not looked up. */
static PyObject *rounded_value(PyObject *value, PyObject *round, PyObject *digits, PyObject *once) {
    int keyed = PyFloat_CheckExact(value) && PyFloat_AS_DOUBLE(value) != 0.0;
    if (keyed) {
        PyObject *known = PyDict_GetItemWithError(once, value);
        if (known) return Py_NewRef(known);
        if (PyErr_Occurred()) return NULL;
    }
    PyObject *out = PyObject_CallMethodOneArg(value, round, digits); /* as round() calls it */
    if (out && keyed && PyDict_SetItem(once, value, out)) Py_CLEAR(out);
    return out;
}

/* rounded_rows(rows: list of lists of (x0, top, x1, bottom) or None, digits: int)
 *   -> the same rows, each value rounded to `digits` places by its type's __round__. */
static PyObject *rounded_rows(PyObject *self, PyObject *args) {
    PyObject *rows, *digits;
    if (!PyArg_ParseTuple(args, "O!O", &PyList_Type, &rows, &digits)) return NULL;
    PyObject *round = PyUnicode_InternFromString("__round__"), *once = PyDict_New();
    PyObject *out = round && once ? PyList_New(PyList_GET_SIZE(rows)) : NULL;
    for (Py_ssize_t r = 0; out && r < PyList_GET_SIZE(rows); r++) {
        PyObject *row = PyList_GET_ITEM(rows, r);
        if (!PyList_Check(row)) {
            PyErr_SetString(PyExc_TypeError, "rounded_rows: a row is a list");
            Py_CLEAR(out);
            break;
        }
        PyObject *made = PyList_New(PyList_GET_SIZE(row));
        for (Py_ssize_t c = 0; made && c < PyList_GET_SIZE(row); c++) {
            PyObject *cell = PyList_GET_ITEM(row, c), *box = NULL;
            if (cell == Py_None) box = Py_NewRef(Py_None);
            else if (!PyTuple_Check(cell) || PyTuple_GET_SIZE(cell) != 4)
                PyErr_SetString(PyExc_TypeError, "rounded_rows: a cell is four values");
            else if ((box = PyTuple_New(4))) {
                for (int k = 0; k < 4; k++) {
                    PyObject *v = rounded_value(PyTuple_GET_ITEM(cell, k), round, digits, once);
                    if (!v) {
                        Py_CLEAR(box);
                        break;
                    }
                    PyTuple_SET_ITEM(box, k, v);
                }
            }
            if (!box) Py_CLEAR(made);
            else PyList_SET_ITEM(made, c, box);
        }
        if (!made) Py_CLEAR(out);
        else PyList_SET_ITEM(out, r, made);
    }
    Py_XDECREF(round);
    Py_XDECREF(once);
    return out;
}

static PyMethodDef methods[] = {
    {"tables", tables, METH_VARARGS, "pdfplumber's ruled tables (their cells) from a page's edges."},
    {"text_lines", text_lines, METH_VARARGS, "Text runs grouped into lines, cut into chunks."},
    {"text_blocks", text_blocks, METH_VARARGS, "Runs of lines that may hold an unruled table."},
    {"held", held, METH_VARARGS, "The characters each cell of a table holds, by their middles."},
    {"letters_in", letters_in, METH_VARARGS, "Letters, and bold ones, in each row of a table."},
    {"char_objects", char_objects, METH_VARARGS, "The characters' text objects, as np.unique gives them."},
    {"kept_chars", kept_chars, METH_VARARGS, "The characters inside tables, boxed as pdfminer boxes them."},
    {"rounded_rows", rounded_rows, METH_VARARGS, "Each value of a table's cells rounded."},
    {"span_above", span_above, METH_VARARGS, "Where the line of text over a table lies."},
    {"table_rows", table_rows, METH_O, "pdfplumber's Table.rows of a table's cells, and their boxes."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "_geometry", NULL, -1, methods};

PyMODINIT_FUNC PyInit__geometry(void) { return PyModule_Create(&module); }

#include "report/json_out.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

void json_out_real(double v, char *buf, size_t n)
{
	char sci[40];
	int digits = 17, exp10;

	if (!isfinite(v)) {
		snprintf(buf, n, "null");
		return;
	}
	/* The fewest significant digits that read back to v... */
	for (int p = 1; p <= 17; p++) {
		snprintf(sci, sizeof(sci), "%.*e", p - 1, v);
		if (strtod(sci, NULL) == v) {
			digits = p;
			break;
		}
	}
	snprintf(sci, sizeof(sci), "%.*e", digits - 1, v);
	exp10 = atoi(strchr(sci, 'e') + 1);
	/* ...written as Python's repr writes them: plain decimals for
	 * 1e-4 <= |v| < 1e16 (100.0, 0.0001, 0.7), an exponent beyond. */
	if (exp10 >= -4 && exp10 < 16) {
		int decimals = digits - 1 - exp10;

		snprintf(buf, n, "%.*f", decimals > 0 ? decimals : 0, v);
	} else {
		snprintf(buf, n, "%s", sci);
	}
	/* A real stays a real when read back: "2" would read as an integer. */
	if (!strpbrk(buf, ".eE") && strlen(buf) + 3 <= n)
		strcat(buf, ".0");
}

static void indent(FILE *out, int pretty, int depth)
{
	if (!pretty)
		return;
	fputc('\n', out);
	for (int i = 0; i < depth; i++)
		fputs("  ", out);
}

static int dump(const json_t *v, FILE *out, int pretty, int depth)
{
	char num[40];

	switch (json_typeof(v)) {
	case JSON_OBJECT: {
		const char *key;
		json_t *child;
		size_t i = 0;

		if (json_object_size(v) == 0) {
			fputs("{}", out);
			return 0;
		}
		fputc('{', out);
		json_object_foreach((json_t *)v, key, child) {
			json_t *k = json_string(key);
			int r;

			if (!k)
				return -ENOMEM;
			if (i++)
				fputc(',', out);
			indent(out, pretty, depth + 1);
			r = json_dumpf(k, out, JSON_ENCODE_ANY);
			json_decref(k);
			if (r < 0)
				return -EIO;
			fputs(pretty ? ": " : ":", out);
			r = dump(child, out, pretty, depth + 1);
			if (r < 0)
				return r;
		}
		indent(out, pretty, depth);
		fputc('}', out);
		return 0;
	}
	case JSON_ARRAY: {
		size_t i;
		json_t *child;

		if (json_array_size(v) == 0) {
			fputs("[]", out);
			return 0;
		}
		fputc('[', out);
		json_array_foreach((json_t *)v, i, child) {
			int r;

			if (i)
				fputc(',', out);
			indent(out, pretty, depth + 1);
			r = dump(child, out, pretty, depth + 1);
			if (r < 0)
				return r;
		}
		indent(out, pretty, depth);
		fputc(']', out);
		return 0;
	}
	case JSON_REAL:
		json_out_real(json_real_value(v), num, sizeof(num));
		fputs(num, out);
		return 0;
	default:
		/* strings, integers, true, false, null: jansson's own encoding */
		return json_dumpf(v, out, JSON_ENCODE_ANY) < 0 ? -EIO : 0;
	}
}

static int dump_doc(const json_t *doc, FILE *out, int pretty)
{
	int r;

	if (!doc)
		return -ENOMEM;
	r = dump(doc, out, pretty, 0);
	if (r == 0 && (fputc('\n', out) == EOF || fflush(out) == EOF || ferror(out)))
		r = -EIO;
	return r;
}

int json_out_dump(const json_t *doc, FILE *out)
{
	return dump_doc(doc, out, 1);
}

int json_out_dump_compact(const json_t *doc, FILE *out)
{
	return dump_doc(doc, out, 0);
}

char *json_out_dumps(const json_t *doc)
{
	char *s = NULL;
	size_t n = 0;
	FILE *f;
	int r;

	if (!doc)
		return NULL;
	f = open_memstream(&s, &n);
	if (!f)
		return NULL;
	r = dump(doc, f, 1, 0);
	if (fclose(f) != 0 || r < 0) {
		free(s);
		return NULL;
	}
	return s;
}

/* preflight buildinfo: the Go build info of executables, printed exactly as
 * `go version -m` prints it, or as JSON (docs/buildinfo.md). */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <jansson.h>

#include "base/buf.h"
#include "cmd/cmd.h"
#include "collect/gobuild.h"
#include "report/buildinfo_text.h"

/* The text of one file's build info; modinfo of real binaries is a few
 * KiB, the largest we have seen well under 1 MiB. */
#define BUILDINFO_MAX_TEXT (64u << 20)

struct opts {
	bool json;
	bool failed;     /* a named file could not be read */
	bool internal;   /* out of memory, stdout unwritable */
};

static void usage(FILE *out)
{
	fprintf(out, "usage: preflight buildinfo [--json] FILE...\n\n"
		     "Prints the Go version and module information embedded in Go executables,\n"
		     "byte for byte as `go version -m FILE` does. A directory is searched\n"
		     "recursively, and only the Go executables in it are listed.\n"
		     "  --json   one JSON object per executable, one per line (docs/buildinfo.md)\n");
}

/* jansson only takes UTF-8; build info of a hostile binary need not be.
 * Such a string keeps its ASCII and gets U+FFFD for every other byte. */
static json_t *jstr(const char *s)
{
	json_t *j;
	char *copy, *w;

	if (!s)
		return json_null();
	j = json_string(s);
	if (j)
		return j;
	copy = malloc(strlen(s) * 3 + 1);
	if (!copy)
		return NULL;
	for (w = copy; *s; s++) {
		if ((unsigned char)*s < 0x80) {
			*w++ = *s;
		} else {
			memcpy(w, "\xef\xbf\xbd", 3);
			w += 3;
		}
	}
	*w = '\0';
	j = json_string(copy);
	free(copy);
	return j;
}

static json_t *module_json(const struct gobuild_module *m)
{
	json_t *o = json_object(), *rep = m->rep_path ? json_object() : json_null();

	if (!o || !rep)
		goto fail;
	if (m->rep_path && (json_object_set_new(rep, "path", jstr(m->rep_path)) ||
			    json_object_set_new(rep, "version", jstr(m->rep_version)) ||
			    json_object_set_new(rep, "sum", jstr(m->rep_sum))))
		goto fail;
	if (json_object_set_new(o, "path", jstr(m->path)) || json_object_set_new(o, "version", jstr(m->version)) ||
	    json_object_set_new(o, "sum", jstr(m->sum)))
		goto fail;
	/* set_new takes rep whether or not it succeeds. */
	if (json_object_set_new(o, "replace", rep)) {
		json_decref(o);
		return NULL;
	}
	return o;
fail:
	json_decref(rep);
	json_decref(o);
	return NULL;
}

static json_t *buildinfo_json(const char *file, const struct gobuild *b)
{
	json_t *o = json_object(), *deps = json_array(), *settings = json_object();
	json_t *main_mod = b->main.path ? module_json(&b->main) : json_null();

	if (!o || !deps || !settings || !main_mod)
		goto fail;
	for (size_t i = 0; i < b->n_deps; i++)
		if (json_array_append_new(deps, module_json(&b->deps[i])))
			goto fail;
	for (size_t i = 0; i < b->n_settings; i++) {
		json_t *k = jstr(b->settings[i].key);

		/* A duplicated key keeps its first place and its last value. */
		if (!k || json_object_set_new(settings, json_string_value(k), jstr(b->settings[i].value))) {
			json_decref(k);
			goto fail;
		}
		json_decref(k);
	}
	if (json_object_set_new(o, "file", jstr(file)) || json_object_set_new(o, "go_version", jstr(b->go_version)) ||
	    json_object_set_new(o, "path", jstr(b->path)))
		goto fail;
	if (json_object_set_new(o, "main", main_mod)) {
		main_mod = NULL;
		goto fail;
	}
	main_mod = NULL;
	if (json_object_set_new(o, "deps", deps)) {
		deps = NULL;
		goto fail;
	}
	deps = NULL;
	if (json_object_set_new(o, "settings", settings)) {
		settings = NULL;
		goto fail;
	}
	return o;
fail:
	json_decref(main_mod);
	json_decref(deps);
	json_decref(settings);
	json_decref(o);
	return NULL;
}

/* `go version -m`: "FILE: goVERSION", then the modinfo lines, each
 * behind a tab. */
static int print_text(const char *file, const struct gobuild *b)
{
	struct buf s = BUF_INIT(BUILDINFO_MAX_TEXT);
	int r = gobuild_string(b, &s);

	if (r < 0)
		goto out;
	printf("%s: %s\n", file, b->go_version);
	for (size_t i = 0; i < s.len; i++) {
		if (i == 0 || s.data[i - 1] == '\n')
			putchar('\t');
		putchar(s.data[i]);
	}
out:
	buf_release(&s);
	return r;
}

static void print_one(struct opts *o, const char *file, const struct gobuild *b)
{
	json_t *j;

	if (!o->json) {
		if (print_text(file, b) < 0) {
			fprintf(stderr, "preflight buildinfo: '%s': build info too large to print\n", file);
			o->internal = true;
		}
		return;
	}
	j = buildinfo_json(file, b);
	if (!j || json_dumpf(j, stdout, JSON_COMPACT) < 0) {
		fprintf(stderr, "preflight buildinfo: '%s': cannot write JSON\n", file);
		o->internal = true;
	} else {
		putchar('\n');
	}
	json_decref(j);
}

/* A named file: every failure is reported. */
static void scan_file(struct opts *o, const char *file)
{
	struct gobuild b = { 0 };
	struct err e = { "" };
	int r = gobuild_read_file(file, &b, &e);

	if (r < 0) {
		fprintf(stderr, "preflight buildinfo: %s\n", e.msg[0] ? e.msg : err_str(r));
		if (r == -ENOMEM)
			o->internal = true;
		else
			o->failed = true;
		return;
	}
	print_one(o, file, &b);
	gobuild_release(&b);
}

/* A file met while walking a directory: like `go version`, print it when
 * it is a Go executable and say nothing otherwise. Symlinks count when
 * they lead to a regular file; FIFOs and devices are never opened. */
static void scan_quiet(struct opts *o, const char *file, const struct stat *lst)
{
	struct gobuild b = { 0 };
	struct stat st;

	if (S_ISLNK(lst->st_mode) && (stat(file, &st) < 0 || !S_ISREG(st.st_mode)))
		return;
	if (!S_ISLNK(lst->st_mode) && !S_ISREG(lst->st_mode))
		return;
	if (gobuild_read_file(file, &b, NULL) < 0)
		return;
	print_one(o, file, &b);
	gobuild_release(&b);
}

static int cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void free_names(char **names, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
}

/* The names in dir, sorted bytewise as os.ReadDir sorts them. */
static int list_dir(const char *dir, char ***ret, size_t *ret_n)
{
	char **names = NULL;
	size_t n = 0, cap = 0;
	struct dirent *de;
	DIR *d = NULL;
	int fd, r = 0;

	fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	d = fdopendir(fd);
	if (!d) {
		r = -errno;
		close(fd);
		goto out;
	}
	while ((de = readdir(d))) {
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		if (n == cap) {
			size_t ncap = cap ? cap * 2 : 64;
			char **p = realloc(names, ncap * sizeof(*names));

			if (!p) {
				r = -ENOMEM;
				goto out;
			}
			names = p;
			cap = ncap;
		}
		if (!(names[n] = strdup(de->d_name))) {
			r = -ENOMEM;
			goto out;
		}
		n++;
	}
	/* An empty directory leaves names NULL, which qsort must not get. */
	if (n)
		qsort(names, n, sizeof(*names), cmp_names);
	*ret = names;
	*ret_n = n;
	names = NULL;
	n = 0;
out:
	if (d)
		closedir(d);
	free_names(names, n);
	return r;
}

/* filepath.WalkDir order: entries sorted bytewise, directories entered
 * where they sort, symlinked directories not followed. Unreadable
 * directories below a named one are skipped silently, as Go does; a named
 * directory that cannot be read is an error, or the user would take the
 * silence for "no Go executables here". */
static void walk_dir(struct opts *o, const char *dir, bool named)
{
	char **names = NULL;
	size_t n = 0;
	int r = list_dir(dir, &names, &n);

	if (r == -ENOMEM) {
		fprintf(stderr, "preflight buildinfo: out of memory while listing '%s'\n", dir);
		o->internal = true;
	} else if (r < 0 && named) {
		fprintf(stderr, "preflight buildinfo: cannot read directory '%s': %s\n", dir, strerror(-r));
		o->failed = true;
	}
	for (size_t i = 0; i < n; i++) {
		struct buf path = BUF_INIT(PATH_MAX * 4);
		struct stat lst;

		/* dir is clean, so joining needs no further cleaning except
		 * at "." and "/". */
		if (buf_printf(&path, "%s%s%s", strcmp(dir, ".") ? dir : "",
			       !strcmp(dir, ".") || !strcmp(dir, "/") ? "" : "/", names[i]) == 0 &&
		    lstat(path.data, &lst) == 0) {
			if (S_ISDIR(lst.st_mode))
				walk_dir(o, path.data, false);
			else
				scan_quiet(o, path.data, &lst);
		}
		buf_release(&path);
	}
	free_names(names, n);
}

/* Go's filepath.Clean, which WalkDir's joins apply to the names it prints. */
static char *clean_path(const char *p)
{
	size_t n = strlen(p), r = 0, w = 0, dotdot = 0;
	bool rooted = n && p[0] == '/';
	char *out = malloc(n + 2);

	if (!out)
		return NULL;
	if (rooted) {
		out[w++] = '/';
		r = dotdot = 1;
	}
	while (r < n) {
		if (p[r] == '/') {
			r++;
		} else if (p[r] == '.' && (r + 1 == n || p[r + 1] == '/')) {
			r++;
		} else if (p[r] == '.' && p[r + 1] == '.' && (r + 2 == n || p[r + 2] == '/')) {
			r += 2;
			if (w > dotdot) {
				w--;
				while (w > dotdot && out[w] != '/')
					w--;
			} else if (!rooted) {
				if (w > 0)
					out[w++] = '/';
				out[w++] = '.';
				out[w++] = '.';
				dotdot = w;
			}
		} else {
			if ((rooted && w != 1) || (!rooted && w != 0))
				out[w++] = '/';
			for (; r < n && p[r] != '/'; r++)
				out[w++] = p[r];
		}
	}
	if (!w)
		out[w++] = '.';
	out[w] = '\0';
	return out;
}

static void scan_arg(struct opts *o, const char *arg)
{
	struct stat st, lst;
	char *root;

	if (stat(arg, &st) < 0) {
		fprintf(stderr, "preflight buildinfo: cannot stat '%s': %s\n", arg, strerror(errno));
		o->failed = true;
		return;
	}
	if (!S_ISDIR(st.st_mode)) {
		scan_file(o, arg);
		return;
	}
	/* WalkDir does not follow a symlink even at the root, so a link to a
	 * directory lists nothing, as with `go version`. */
	if (lstat(arg, &lst) < 0 || !S_ISDIR(lst.st_mode))
		return;
	root = clean_path(arg);
	if (!root) {
		fprintf(stderr, "preflight buildinfo: out of memory\n");
		o->internal = true;
		return;
	}
	walk_dir(o, root, true);
	free(root);
}

int cmd_buildinfo(int argc, char **argv)
{
	struct opts o = { 0 };
	int i;

	for (i = 1; i < argc && argv[i][0] == '-' && argv[i][1]; i++) {
		if (!strcmp(argv[i], "--")) {
			i++;
			break;
		} else if (!strcmp(argv[i], "--json")) {
			o.json = true;
		} else if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
			usage(stdout);
			return EXIT_OK;
		} else {
			fprintf(stderr, "preflight buildinfo: '%s' is not an option; see 'preflight buildinfo --help'\n",
				argv[i]);
			return EXIT_USAGE;
		}
	}
	if (i == argc) {
		fprintf(stderr, "preflight buildinfo: no FILE given; see 'preflight buildinfo --help'\n");
		return EXIT_USAGE;
	}
	for (; i < argc; i++)
		scan_arg(&o, argv[i]);
	if (fflush(stdout) != 0 || ferror(stdout)) {
		fprintf(stderr, "preflight buildinfo: cannot write to standard output\n");
		return EXIT_INTERNAL;
	}
	if (o.internal)
		return EXIT_INTERNAL;
	return o.failed ? EXIT_USAGE : EXIT_OK;
}

/* Placeholder until this command's options move into its table. */
static const struct opt buildinfo_opts_pending[] = { OPT_END_ENTRY };
const struct command_spec cmd_buildinfo_spec = {
	.name = "buildinfo",
	.summary = "buildinfo",
	.synopsis = "[options]",
	.description = "",
	.exit_status = "",
	.opts = buildinfo_opts_pending,
};

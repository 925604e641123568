/* yamldoc — see yamldoc.h. */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <yaml.h>

#include "buf.h"
#include "errf.h"
#include "yamldoc.h"

/* A file larger than this is refused: decoders and rules are small. */
#define YAMLDOC_MAX	(4u << 20)

void
yamldoc_file_free(struct yamldoc_file *f)
{
	size_t	 i;

	if (f == NULL)
		return;
	for (i = 0; i < f->ndocs; i++)
		yaml_document_delete(&f->docs[i].y);
	free(f->docs);
	free(f->name);
	free(f);
}

struct yamldoc_file *
yamldoc_parse(const char *text, size_t len, const char *name, char *err,
    size_t errlen, unsigned *line)
{
	yaml_parser_t	 p;
	struct yamldoc_file *f;
	struct yamldoc	*nd;
	yaml_document_t	 y;
	size_t		 i;

	*line = 0;
	if ((f = calloc(1, sizeof *f)) == NULL ||
	    (f->name = strdup(name)) == NULL) {
		free(f);
		errf(err, errlen, "out of memory");
		return NULL;
	}
	if (!yaml_parser_initialize(&p)) {
		errf(err, errlen, "out of memory");
		goto fail;
	}
	yaml_parser_set_input_string(&p, (const unsigned char *)text, len);
	for (;;) {
		if (!yaml_parser_load(&p, &y)) {
			*line = (unsigned)p.problem_mark.line + 1;
			errf(err, errlen, "YAML: %s%s%s", p.problem ?
			    p.problem : "syntax error", p.context ? " " : "",
			    p.context ? p.context : "");
			yaml_parser_delete(&p);
			goto fail;
		}
		if (yaml_document_get_root_node(&y) == NULL) {
			yaml_document_delete(&y);
			break;
		}
		if ((nd = reallocarray(f->docs, f->ndocs + 1, sizeof *nd)) ==
		    NULL) {
			yaml_document_delete(&y);
			yaml_parser_delete(&p);
			errf(err, errlen, "out of memory");
			goto fail;
		}
		f->docs = nd;
		f->docs[f->ndocs].y = y;
		f->docs[f->ndocs].nth = f->ndocs + 1;
		f->ndocs++;
	}
	yaml_parser_delete(&p);
	for (i = 0; i < f->ndocs; i++)
		f->docs[i].file = f->name;
	return f;
fail:
	yamldoc_file_free(f);
	return NULL;
}

struct yamldoc_file *
yamldoc_load(const char *path, char *err, size_t errlen, unsigned *line)
{
	struct yamldoc_file *f = NULL;
	struct buf	 b;
	char		 chunk[8192];
	size_t		 n;
	FILE		*fp;

	*line = 0;
	buf_init(&b);
	if ((fp = fopen(path, "r")) == NULL) {
		errf(err, errlen, "cannot open: %s", strerror(errno));
		return NULL;
	}
	while ((n = fread(chunk, 1, sizeof chunk, fp)) > 0) {
		if (b.len + n > YAMLDOC_MAX) {
			errf(err, errlen, "larger than %u bytes",
			    YAMLDOC_MAX);
			goto out;
		}
		if (buf_append(&b, chunk, n) == -1) {
			errf(err, errlen, "out of memory");
			goto out;
		}
	}
	if (ferror(fp)) {
		errf(err, errlen, "cannot read: %s", strerror(errno));
		goto out;
	}
	f = yamldoc_parse(b.data ? b.data : "", b.len, path, err, errlen,
	    line);
out:
	fclose(fp);
	buf_release(&b);
	return f;
}

yaml_node_t *
yamldoc_root(struct yamldoc *d)
{
	return yaml_document_get_root_node(&d->y);
}

yaml_node_t *
yamldoc_node(struct yamldoc *d, yaml_node_item_t i)
{
	return yaml_document_get_node(&d->y, i);
}

unsigned
yamldoc_line(const yaml_node_t *n)
{
	return n != NULL ? (unsigned)n->start_mark.line + 1 : 0;
}

const char *
yamldoc_scalar(const yaml_node_t *n)
{
	if (n == NULL || n->type != YAML_SCALAR_NODE)
		return NULL;
	return (const char *)n->data.scalar.value;
}

int
yamldoc_plain(const yaml_node_t *n)
{
	return n != NULL && n->type == YAML_SCALAR_NODE &&
	    n->data.scalar.style == YAML_PLAIN_SCALAR_STYLE;
}

int
yamldoc_isnull(const yaml_node_t *n)
{
	const char *s;

	if (!yamldoc_plain(n))
		return 0;
	s = yamldoc_scalar(n);
	return *s == '\0' || strcmp(s, "~") == 0 || strcmp(s, "null") == 0 ||
	    strcmp(s, "Null") == 0 || strcmp(s, "NULL") == 0;
}

yaml_node_t *
yamldoc_get(struct yamldoc *d, yaml_node_t *n, const char *key)
{
	yaml_node_pair_t *p;
	const char *k;

	if (n == NULL || n->type != YAML_MAPPING_NODE)
		return NULL;
	for (p = n->data.mapping.pairs.start; p < n->data.mapping.pairs.top;
	    p++) {
		k = yamldoc_scalar(yamldoc_node(d, p->key));
		if (k != NULL && strcmp(k, key) == 0)
			return yamldoc_node(d, p->value);
	}
	return NULL;
}

int
yamldoc_bool(const yaml_node_t *n, int *v)
{
	const char *s = yamldoc_scalar(n);

	if (s == NULL)
		return -1;
	if (strcasecmp(s, "true") == 0 || strcasecmp(s, "yes") == 0) {
		*v = 1;
		return 0;
	}
	if (strcasecmp(s, "false") == 0 || strcasecmp(s, "no") == 0) {
		*v = 0;
		return 0;
	}
	return -1;
}

int
yamldoc_filename(const struct dirent *de)
{
	size_t	 n = strlen(de->d_name);

	if (de->d_name[0] == '.')
		return 0;
	return (n > 4 && strcmp(de->d_name + n - 4, ".yml") == 0) ||
	    (n > 5 && strcmp(de->d_name + n - 5, ".yaml") == 0);
}

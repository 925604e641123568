/* yamldoc — the hub's one YAML loader: a file read into its documents
 * (libyaml's document API), and small helpers over their nodes that keep
 * line numbers for "file:line: reason" errors.  Sigma rules (hub/rules/
 * sigma.c), decoders (hub/ingest/decoder.c) and response actions
 * (hub/rules/actions.c) are all read through it. */
#ifndef WARD_YAMLDOC_H
#define WARD_YAMLDOC_H

#include <stddef.h>

struct dirent;

#include <yaml.h>

/* One YAML document of a file. */
struct yamldoc {
	yaml_document_t	 y;
	const char	*file;		/* the owning yamldoc_file's name */
	size_t		 nth;		/* 1-based document number */
};

/* Every document of one file, in order. */
struct yamldoc_file {
	char		*name;		/* as given to yamldoc_load */
	struct yamldoc	*docs;
	size_t		 ndocs;
};

/*
 * Read path and parse every document in it.  Returns the file (free with
 * yamldoc_file_free), or NULL with "reason" in err and the 1-based line
 * in *line (0 when the error has no line: cannot open, out of memory).
 * An empty file gives a file of no documents.
 */
struct yamldoc_file *yamldoc_load(const char *path, char *err, size_t errlen,
		    unsigned *line);
/* The same from text in memory; name is what errors and docs call it. */
struct yamldoc_file *yamldoc_parse(const char *text, size_t len,
		    const char *name, char *err, size_t errlen, unsigned *line);
/* Free every document; accepts NULL. */
void		 yamldoc_file_free(struct yamldoc_file *);

/* The root node of d, or NULL. */
yaml_node_t	*yamldoc_root(struct yamldoc *d);
/* The node with index i, or NULL. */
yaml_node_t	*yamldoc_node(struct yamldoc *d, yaml_node_item_t i);
/* The 1-based line where n starts; 0 for NULL. */
unsigned	 yamldoc_line(const yaml_node_t *n);
/* The text of a scalar node; NULL if n is not one. */
const char	*yamldoc_scalar(const yaml_node_t *n);
/* Is n a plain (unquoted) scalar, so that true, 12 and ~ are not text? */
int		 yamldoc_plain(const yaml_node_t *n);
/* Is n a plain null ("", ~, null)? */
int		 yamldoc_isnull(const yaml_node_t *n);
/* The value of key in mapping n; NULL if absent or n is not a mapping. */
yaml_node_t	*yamldoc_get(struct yamldoc *d, yaml_node_t *n, const char *key);
/* A plain or quoted true/false/yes/no into *v.  Returns 0 or -1. */
int		 yamldoc_bool(const yaml_node_t *n, int *v);
/* A scandir(3) filter: 1 for a "*.yml" or "*.yaml" name that does not
   start with a dot (rules, mappings and decoders are such files). */
int		 yamldoc_filename(const struct dirent *de);

#endif

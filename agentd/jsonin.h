/*
 * JSON that agentd reads from outside: the files of the agents directory
 * (specs, sim scenarios, the pricing table, thresholds) and request bodies.
 * Files are read only when they are regular files, without blocking and up
 * to a cap. Errors name the field and say what was wrong in agentd's words,
 * never jansson's ("Expected integer, got string", "JSON_ALLOW_NUL",
 * "object item(s) left unpacked").
 */
#ifndef AGENTD_JSONIN_H
#define AGENTD_JSONIN_H

#include <stddef.h>

struct json_t;
struct json_error_t;

/* Entries kept in a list of rejected files (the last one counts the rest),
 * and bytes kept of each error text: agents.list and health return them. */
#define JSONIN_ERRORS_MAX	100
#define JSONIN_ERROR_TEXT_MAX	512

/* Reads the JSON object in @path: a regular file (symlinks are followed)
 * of at most @cap bytes, opened without blocking. @what names the kind of
 * file in the size error ("a spec": "file is 200.0 MiB, more than the
 * 1 MiB a spec may be"). On success *out is a new reference. Errors start
 * with "@path: " or "@path:LINE:COLUMN: ". */
int jsonin_load_file(const char *path, size_t cap, const char *what,
    struct json_t **out, char *err, size_t errlen);

/* The words of a json_load*() failure, without the position:
 * "'}' expected near end of file", "a string holds \u0000, which is not
 * accepted". */
void jsonin_parse_error(const struct json_error_t *jerr, char *out,
    size_t outlen);

/* json_unpack_ex(@root, JSON_STRICT, @fmt, ...) for a flat object format
 * ("{s:s, s?I, s?o}"; values s b i I f F o O). On failure writes a message
 * that names the field, after "@path: " when @path (where @root is, e.g.
 * "tools[2]") is not empty: tools[2]: field "timeout_ms" must be an
 * integer, not a string / field "name" is required / unknown field
 * "colour" (known: ...) / must be an object, not an array.
 * Returns 0 or -EINVAL. */
int jsonin_unpack(struct json_t *root, const char *path, char *err,
    size_t errlen, const char *fmt, ...);

/* A field's expected type when the format is not at hand: its name and
 * its json_unpack conversion ('s', 'I', 'b', 'o'...). */
struct jsonin_field {
	const char *name;
	char type;
};

/* The same words for a json_unpack_ex() failure on the object @root that
 * someone else made: the field is found from @jerr and @root; @fields (end
 * with a NULL name; fields not in it are strings) tells which one is wrong
 * when several have the type jansson complained about. */
void jsonin_explain(const struct json_t *root, const struct json_error_t *jerr,
    const struct jsonin_field *fields, char *out, size_t outlen);

/* "a string", "an integer", "a decimal number", "true", "null"...;
 * "nothing" for NULL. */
const char *jsonin_type_name(const struct json_t *v);

/* @s quoted as a JSON string (control characters escaped), cut after
 * @max bytes on a UTF-8 boundary with "…". */
void jsonin_quote(const char *s, size_t max, char *out, size_t outlen);

/* Copies @s into @out cut on a UTF-8 boundary, with "…" when cut. */
void jsonin_cut(const char *s, char *out, size_t outlen);

/* "200.0 MiB", "1 MiB", "1500 bytes". */
void jsonin_size_words(size_t size, char *out, size_t outlen);

/* Appends {file, error[, agent]} to the list @errors, bounded: the text is
 * cut at JSONIN_ERROR_TEXT_MAX bytes, and past JSONIN_ERRORS_MAX entries
 * the last one only counts the others ("more": N). @agent may be NULL. */
void jsonin_error_add(struct json_t *errors, const char *file,
    const char *agent, const char *text);

/* The names of the files "*.json" in @dir, not starting with '.' and not
 * in @skip (NULL-terminated, may be NULL): the first @max in name order,
 * *more counts the others. *names is a new array of new strings. Returns 0
 * or -errno when @dir cannot be read. */
int jsonin_list_dir(const char *dir, const char *const *skip, size_t max,
    char ***names, size_t *n, size_t *more);

#endif

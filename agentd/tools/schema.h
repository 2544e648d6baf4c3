/*
 * Validation of tool arguments against a JSON Schema subset.
 *
 * Supported keywords: type, enum, const, required, properties,
 * additionalProperties (boolean or schema), minimum, maximum,
 * exclusiveMinimum, exclusiveMaximum (numbers, draft-6+ semantics),
 * minLength, maxLength (UTF-8 code points), pattern, items (one schema),
 * minItems, maxItems, uniqueItems, minProperties, maxProperties.
 * Annotations (title, description, default, examples, $schema, $id,
 * $comment, format) are accepted and ignored; anything else is an error.
 * Schemas are objects; only additionalProperties also takes true/false.
 *
 * pattern is a POSIX extended regex (glibc regcomp; bytes unless the
 * program set a multibyte locale),
 * searched anywhere in the string. Since JSON Schema authors write
 * ECMA-262 syntax, the escapes \d \D \n \t \r \f \v are rewritten, and
 * inside brackets also \w \s and escaped punctuation ("[\w\-.]"); a lazy
 * "?" after a quantifier is dropped. schema_check rejects backreferences,
 * \u \x \c \p \k \0, an unmatched ")", a quantifier on a quantifier
 * ("a**"), patterns longer than SCHEMA_MAX_PATTERN bytes, and patterns
 * whose cost - atoms once "{n,m}" is copied m times and "+" twice, as
 * glibc does, plus 3 for the search - exceeds SCHEMA_MAX_PATTERN_COST.
 *
 * enum, const and uniqueItems compare with json_equal(), so 1 and 1.0
 * differ there (the integer type does accept 1.0).
 *
 * Limits, since schemas and instances come from outside: both may nest at
 * most SCHEMA_MAX_DEPTH levels below their root (an instance nested deeper
 * is rejected before any other rule is checked); uniqueItems refuses arrays
 * longer than SCHEMA_MAX_UNIQUE. glibc's regexec() can take time and
 * memory quadratic in the string (and worse in the pattern), so a string
 * is matched only if pattern cost (atoms after expansion) x (bytes + 1) is
 * at most SCHEMA_MAX_MATCH_WORK, e.g. 4680 bytes for "^[a-z]+$" (cost 7),
 * and one schema_validate() call matches at most SCHEMA_MAX_MATCH_TOTAL;
 * beyond that the string is rejected with an error saying so. Nothing
 * recurses deeper than SCHEMA_MAX_DEPTH and nothing allocates in
 * proportion to the input.
 */
#ifndef AGENTD_TOOLS_SCHEMA_H
#define AGENTD_TOOLS_SCHEMA_H

#include <stddef.h>

#include <jansson.h>

#define SCHEMA_MAX_DEPTH	32	/* levels below the root */
#define SCHEMA_MAX_PATTERN	256	/* bytes of a "pattern" */
#define SCHEMA_MAX_PATTERN_COST	2000	/* atoms after expanding {n,m} */
#define SCHEMA_MAX_PATTERN_DEPTH	16	/* nested groups: glibc's regcomp
					 * grows as a power of it ("((a*)*)*") */
#define SCHEMA_MAX_UNIQUE	1024	/* items checked by uniqueItems */
#define SCHEMA_MAX_MATCH_WORK	32768	/* pattern cost x (bytes + 1), per string */
#define SCHEMA_MAX_MATCH_TOTAL	(1 << 20) /* the same, per schema_validate() */

/*
 * Where and why validation failed. path is a JSON Pointer to the offending
 * value ("" = root, "/items/2/name"; "~" and "/" in keys escaped as "~0" and
 * "~1"), cut with "..." when too long; message is a short sentence naming
 * the rule. Both are NUL-terminated, valid UTF-8 and may contain control
 * characters from keys (schema_error_format() escapes them).
 */
struct schema_error {
	char	path[128];	/* JSON Pointer into the instance (or schema) */
	char	message[192];	/* e.g. "missing required property \"query\"" */
};

/*
 * Checks that @schema (borrowed) uses only the supported subset and is well
 * formed. Returns 0, or -EINVAL with *err (may be NULL) naming the problem
 * and its location in the schema, e.g. path "/properties/q/maxLength",
 * message "must be a non-negative integer, got string".
 */
int schema_check(const json_t *schema, struct schema_error *err);

/*
 * Validates @instance against @schema (both borrowed; the schema should have
 * passed schema_check(), an unchecked one gives errors, never crashes).
 * Returns 0, or -EINVAL with *err (may be NULL) describing the first
 * violation in this order: depth limit, then per value type, enum, const,
 * bounds (numbers; lengths and pattern; item counts and uniqueItems;
 * property counts), required, properties in schema order,
 * additionalProperties in instance order, items in order.
 */
int schema_validate(const json_t *schema, const json_t *instance,
    struct schema_error *err);

/*
 * Writes "at /path: message", or "message" when the path is the root, into
 * @out (truncated, always NUL-terminated when @outlen > 0), with control
 * characters escaped so that it stays on one line.
 */
void schema_error_format(const struct schema_error *err, char *out,
    size_t outlen);

#endif

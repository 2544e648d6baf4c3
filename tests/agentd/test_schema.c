/*
 * Tests for the tool-argument schema validator. Most are tables of
 * {schema, instance, result, path, message part}; JSON text in the tables
 * uses ' for " to stay readable.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include <jansson.h>

#include "t.h"
#include "tools/schema.h"

/* A validation case: schema_check() must accept the schema. */
struct vcase {
	const char	*schema;	/* JSON text, ' for " */
	const char	*instance;	/* JSON text, ' for " */
	int		 want;		/* 0 or -EINVAL */
	const char	*path;		/* err.path when failing */
	const char	*msg;		/* part of err.message when failing */
};

/* A schema_check() case that must fail. */
struct ccase {
	const char	*schema;	/* JSON text, ' for " */
	const char	*path;		/* err.path */
	const char	*msg;		/* part of err.message */
};

/* Parses @text with ' turned into ", or returns NULL. */
static json_t *
J(const char *text)
{
	json_error_t jerr;
	json_t *v;
	char *s;
	size_t i, n = strlen(text);

	s = malloc(n + 1);
	if (s == NULL)
		abort();
	for (i = 0; i <= n; i++)
		s[i] = text[i] == '\'' ? '"' : text[i];
	v = json_loadb(s, n, JSON_DECODE_ANY | JSON_ALLOW_NUL, &jerr);
	if (v == NULL)
		printf("# bad test JSON: %s: %s\n", jerr.text, text);
	free(s);
	return v;
}

/* True if @s is valid UTF-8 (jansson checks it). */
static bool
valid_utf8(const char *s)
{
	json_t *v = json_string(s);
	bool ok = v != NULL;

	json_decref(v);
	return ok;
}

static void
run_vcases(const struct vcase *cases, size_t n)
{
	struct schema_error err;
	json_t *schema, *inst;
	size_t i;
	int before, r;

	for (i = 0; i < n; i++) {
		before = t_failures;
		schema = J(cases[i].schema);
		inst = J(cases[i].instance);
		ok(schema != NULL && inst != NULL);
		if (schema == NULL || inst == NULL)
			goto next;
		memset(&err, 0x55, sizeof err);
		r = schema_check(schema, &err);
		is_int(r, 0);
		if (r != 0) {
			printf("# schema_check: at '%s': %s\n", err.path,
			    err.message);
			goto next;
		}
		strcpy(err.path, "(unset)");
		strcpy(err.message, "(unset)");
		r = schema_validate(schema, inst, &err);
		is_int(r, cases[i].want);
		if (cases[i].want != 0 && r != 0) {
			is_str(err.path, cases[i].path);
			has_str(err.message, cases[i].msg);
			ok(valid_utf8(err.path) && valid_utf8(err.message));
		}
		if (r != 0 && cases[i].want == 0)
			printf("# got at '%s': %s\n", err.path, err.message);
next:
		if (t_failures != before)
			printf("# case %zu: schema %s instance %s\n", i,
			    cases[i].schema, cases[i].instance);
		json_decref(schema);
		json_decref(inst);
	}
}

static void
run_ccases(const struct ccase *cases, size_t n)
{
	struct schema_error err;
	json_t *schema;
	size_t i;
	int before;

	for (i = 0; i < n; i++) {
		before = t_failures;
		schema = J(cases[i].schema);
		ok(schema != NULL);
		if (schema != NULL) {
			strcpy(err.path, "(unset)");
			strcpy(err.message, "(unset)");
			is_int(schema_check(schema, &err), -EINVAL);
			is_str(err.path, cases[i].path);
			has_str(err.message, cases[i].msg);
			ok(valid_utf8(err.path) && valid_utf8(err.message));
		}
		if (t_failures != before)
			printf("# case %zu: schema %s\n", i, cases[i].schema);
		json_decref(schema);
	}
}

#define RUN_V(cases) run_vcases(cases, sizeof(cases) / sizeof(cases[0]))
#define RUN_C(cases) run_ccases(cases, sizeof(cases) / sizeof(cases[0]))

/* A web-search tool, as an MCP server would describe it. */
#define SEARCH_SCHEMA "{'type':'object','title':'search'," \
	"'description':'Search the web','$schema':" \
	"'https://json-schema.org/draft/2020-12/schema'," \
	"'properties':{" \
	"'query':{'type':'string','minLength':1,'maxLength':10}," \
	"'limit':{'type':'integer','minimum':1,'maximum':50,'default':10}," \
	"'lang':{'type':'string','enum':['en','de','fr']}," \
	"'safe':{'type':'boolean'}," \
	"'sites':{'type':'array','items':{'type':'string','format':'hostname'}," \
	"'maxItems':3,'uniqueItems':true}}," \
	"'required':['query'],'additionalProperties':false}"

static void
accepts_valid_object(void)
{
	static const struct vcase cases[] = {
		{ SEARCH_SCHEMA, "{'query':'cats'}", 0, NULL, NULL },
		{ SEARCH_SCHEMA, "{'query':'cats','limit':5,'lang':'de',"
		    "'safe':true,'sites':['a.org','b.org']}", 0, NULL, NULL },
		{ SEARCH_SCHEMA, "{'sites':[],'query':'x','limit':50.0}",
		    0, NULL, NULL },
		{ "{}", "{'anything':[1,{'goes':null}]}", 0, NULL, NULL },
		{ "{}", "null", 0, NULL, NULL },
		{ "{'properties':{'a':{'type':'string'}}}", "[1,2]", 0,
		    NULL, NULL },
	};

	RUN_V(cases);
}

static void
rejects_missing_required(void)
{
	static const struct vcase cases[] = {
		{ SEARCH_SCHEMA, "{}", -EINVAL, "",
		    "missing required property \"query\"" },
		{ SEARCH_SCHEMA, "{'limit':3}", -EINVAL, "",
		    "missing required property \"query\"" },
		{ "{'required':['a','b']}", "{'a':1}", -EINVAL, "",
		    "missing required property \"b\"" },
		{ "{'required':['a','b']}", "{'b':1,'a':2}", 0, NULL, NULL },
		{ "{'required':[]}", "{}", 0, NULL, NULL },
		/* required only applies to objects */
		{ "{'required':['a']}", "'str'", 0, NULL, NULL },
		{ "{'properties':{'o':{'required':['x\\ny']}}}", "{'o':{}}",
		    -EINVAL, "/o", "missing required property \"x\\ny\"" },
	};

	RUN_V(cases);
}

static void
checks_types(void)
{
	static const struct vcase cases[] = {
		{ "{'type':'string'}", "'x'", 0, NULL, NULL },
		{ "{'type':'string'}", "1", -EINVAL, "",
		    "must be a string, got integer" },
		{ "{'type':'boolean'}", "false", 0, NULL, NULL },
		{ "{'type':'boolean'}", "0", -EINVAL, "",
		    "must be a boolean, got integer" },
		{ "{'type':'null'}", "null", 0, NULL, NULL },
		{ "{'type':'null'}", "{}", -EINVAL, "",
		    "must be null, got object" },
		{ "{'type':'object'}", "{}", 0, NULL, NULL },
		{ "{'type':'object'}", "[]", -EINVAL, "",
		    "must be an object, got array" },
		{ "{'type':'array'}", "[]", 0, NULL, NULL },
		{ "{'type':'array'}", "'[]'", -EINVAL, "",
		    "must be an array, got string" },
		{ "{'type':'integer'}", "'7'", -EINVAL, "",
		    "must be an integer, got string" },
		{ "{'type':'number'}", "true", -EINVAL, "",
		    "must be a number, got boolean" },
		{ "{'type':['string','null']}", "null", 0, NULL, NULL },
		{ "{'type':['string','null']}", "'s'", 0, NULL, NULL },
		{ "{'type':['string','null']}", "3", -EINVAL, "",
		    "must be string or null, got integer" },
		{ "{'type':['integer','boolean','array']}", "{}", -EINVAL, "",
		    "must be integer, boolean or array, got object" },
		{ "{'type':['integer']}", "2", 0, NULL, NULL },
	};

	RUN_V(cases);
}

static void
integer_vs_number(void)
{
	static const struct vcase cases[] = {
		{ "{'type':'integer'}", "3", 0, NULL, NULL },
		{ "{'type':'integer'}", "-3.0", 0, NULL, NULL },
		{ "{'type':'integer'}", "1e300", 0, NULL, NULL },
		{ "{'type':'integer'}", "1.5", -EINVAL, "",
		    "must be an integer, got number" },
		{ "{'type':'integer'}", "-0.000001", -EINVAL, "",
		    "must be an integer, got number" },
		{ "{'type':'number'}", "3", 0, NULL, NULL },
		{ "{'type':'number'}", "3.25", 0, NULL, NULL },
		{ "{'type':['number','string']}", "-1e-9", 0, NULL, NULL },
	};

	RUN_V(cases);
}

static void
checks_enum_and_const(void)
{
	static const struct vcase cases[] = {
		{ "{'enum':['low','high']}", "'low'", 0, NULL, NULL },
		{ "{'enum':['low','high']}", "'medium'", -EINVAL, "",
		    "must be one of \"low\", \"high\"" },
		{ "{'enum':['low','high']}", "1", -EINVAL, "",
		    "must be one of \"low\", \"high\"" },
		{ "{'enum':[1,null,{'a':[1]}]}", "{'a':[1]}", 0, NULL, NULL },
		{ "{'enum':[1,null,{'a':[1]}]}", "null", 0, NULL, NULL },
		{ "{'enum':[1,null,{'a':[1]}]}", "{'a':[2]}", -EINVAL, "",
		    "must be one of 1, null, {\"a\":[1]}" },
		{ "{'enum':[1.5,true]}", "false", -EINVAL, "",
		    "must be one of 1.5, true" },
		/* a long list is cut, still valid UTF-8 */
		{ "{'enum':['ééééééééééééééééééééééééééééééééééééééééééé',"
		    "'ééééééééééééééééééééééééééééééééééééééééééééééééé',"
		    "'ééééééééééééééééééééééééééééééééééééééééééééééééé',"
		    "'ééééééééééééééééééééééééééééééééééééééééééééééééé']}",
		    "'x'", -EINVAL, "", "must be one of \"éééé" },
		{ "{'const':'fixed'}", "'fixed'", 0, NULL, NULL },
		{ "{'const':'fixed'}", "'other'", -EINVAL, "",
		    "must be equal to \"fixed\"" },
		{ "{'const':[1,2]}", "[1,2]", 0, NULL, NULL },
		{ "{'const':[1,2]}", "[2,1]", -EINVAL, "",
		    "must be equal to [1,2]" },
		{ "{'const':{'a':1,'b':2}}", "{'b':2,'a':1}", 0, NULL, NULL },
		{ "{'const':null}", "null", 0, NULL, NULL },
		{ "{'const':null}", "0", -EINVAL, "",
		    "must be equal to null" },
		{ "{'const':0.1}", "0.2", -EINVAL, "",
		    "must be equal to 0.1" },
		/* json_equal: integer 1 and real 1.0 differ */
		{ "{'enum':[1]}", "1.0", -EINVAL, "", "must be one of 1" },
	};

	RUN_V(cases);
}

static void
checks_numeric_bounds(void)
{
	static const struct vcase cases[] = {
		{ "{'minimum':1}", "1", 0, NULL, NULL },
		{ "{'minimum':1}", "0", -EINVAL, "", "must be >= 1 (got 0)" },
		{ "{'minimum':1}", "0.5", -EINVAL, "",
		    "must be >= 1 (got 0.5)" },
		{ "{'minimum':0.5}", "0", -EINVAL, "",
		    "must be >= 0.5 (got 0)" },
		{ "{'minimum':0.5}", "1", 0, NULL, NULL },
		{ "{'maximum':10}", "10", 0, NULL, NULL },
		{ "{'maximum':10}", "10.000001", -EINVAL, "",
		    "must be <= 10 (got 10.000001)" },
		{ "{'maximum':-2.5}", "-2", -EINVAL, "",
		    "must be <= -2.5 (got -2)" },
		{ "{'maximum':-2.5}", "-3", 0, NULL, NULL },
		{ "{'exclusiveMinimum':0}", "0", -EINVAL, "",
		    "must be > 0 (got 0)" },
		{ "{'exclusiveMinimum':0}", "0.0", -EINVAL, "",
		    "must be > 0 (got 0)" },
		{ "{'exclusiveMinimum':0}", "1e-300", 0, NULL, NULL },
		{ "{'exclusiveMaximum':1.5}", "1.5", -EINVAL, "",
		    "must be < 1.5 (got 1.5)" },
		{ "{'exclusiveMaximum':1.5}", "1", 0, NULL, NULL },
		{ "{'exclusiveMaximum':2}", "2", -EINVAL, "",
		    "must be < 2 (got 2)" },
		/* exact comparison of integers with doubles */
		{ "{'maximum':9007199254740992.0}", "9007199254740993",
		    -EINVAL, "", "must be <= 9007199254740992" },
		{ "{'minimum':9223372036854775807}", "9.3e18", 0, NULL,
		    NULL },
		{ "{'maximum':-9223372036854775807}", "-9.3e18", 0, NULL,
		    NULL },
		{ "{'minimum':-9223372036854775807}", "-9.3e18", -EINVAL, "",
		    "must be >= -9223372036854775807" },
		{ "{'minimum':3}", "2.9999999999999996", -EINVAL, "",
		    "must be >= 3 (got 2.9999999999999996)" },
		/* bounds only apply to numbers */
		{ "{'minimum':3}", "'1'", 0, NULL, NULL },
		/* order: minimum before maximum */
		{ "{'maximum':0,'minimum':5}", "3", -EINVAL, "",
		    "must be >= 5" },
	};

	RUN_V(cases);
}

static void
counts_code_points(void)
{
	static const struct vcase cases[] = {
		{ "{'maxLength':10}", "'abcdefghijklmn'", -EINVAL, "",
		    "must be at most 10 characters (got 14)" },
		{ "{'maxLength':10}", "'abcdefghij'", 0, NULL, NULL },
		/* 5 code points, 6 bytes */
		{ "{'maxLength':5}", "'héllo'", 0, NULL, NULL },
		{ "{'maxLength':4}", "'héllo'", -EINVAL, "",
		    "must be at most 4 characters (got 5)" },
		/* 4-byte sequences count once */
		{ "{'minLength':3}", "'\\ud83d\\ude00\\ud83d\\ude00'",
		    -EINVAL, "", "must be at least 3 characters (got 2)" },
		{ "{'minLength':2,'maxLength':2}", "'日本'", 0, NULL, NULL },
		{ "{'minLength':1}", "''", -EINVAL, "",
		    "must be at least 1 character (got 0)" },
		{ "{'maxLength':0}", "''", 0, NULL, NULL },
		/* NUL counts as a character */
		{ "{'maxLength':2}", "'a\\u0000b'", -EINVAL, "",
		    "must be at most 2 characters (got 3)" },
		{ "{'minLength':5}", "5", 0, NULL, NULL },
	};

	RUN_V(cases);
}

static void
matches_patterns(void)
{
	static const struct vcase cases[] = {
		{ "{'pattern':'^[a-z]+$'}", "'abc'", 0, NULL, NULL },
		{ "{'pattern':'^[a-z]+$'}", "'abC'", -EINVAL, "",
		    "must match pattern \"^[a-z]+$\"" },
		/* unanchored: a match anywhere is enough */
		{ "{'pattern':'b+'}", "'abba'", 0, NULL, NULL },
		{ "{'pattern':'(cat|dog)s?'}", "'hotdogs'", 0, NULL, NULL },
		/* ECMA-262 \\d and friends are rewritten */
		{ "{'pattern':'^\\\\d{4}-\\\\d{2}-\\\\d{2}$'}", "'2024-01-31'",
		    0, NULL, NULL },
		{ "{'pattern':'^\\\\d{4}-\\\\d{2}-\\\\d{2}$'}", "'2024-1-31'",
		    -EINVAL, "", "must match pattern" },
		{ "{'pattern':'^\\\\d+$'}", "'ddd'", -EINVAL, "",
		    "must match pattern \"^\\\\d+$\"" },
		{ "{'pattern':'^\\\\D+$'}", "'abc'", 0, NULL, NULL },
		{ "{'pattern':'^\\\\D+$'}", "'a1'", -EINVAL, "", "pattern" },
		{ "{'pattern':'^[\\\\w\\\\-.]+$'}", "'a-b_c.d9'", 0, NULL,
		    NULL },
		{ "{'pattern':'^[\\\\w\\\\-.]+$'}", "'a b'", -EINVAL, "",
		    "must match" },
		{ "{'pattern':'^[\\\\w-.]+$'}", "'-x-'", 0, NULL, NULL },
		{ "{'pattern':'^[^\\\\s]+$'}", "'a\\tb'", -EINVAL, "",
		    "must match" },
		{ "{'pattern':'^[\\\\]\\\\^]+$'}", "']^'", 0, NULL, NULL },
		{ "{'pattern':'^[\\\\^]$'}", "'^'", 0, NULL, NULL },
		{ "{'pattern':'^[\\\\^]$'}", "'a'", -EINVAL, "", "match" },
		{ "{'pattern':'^a\\\\.b$'}", "'a.b'", 0, NULL, NULL },
		{ "{'pattern':'^a\\\\.b$'}", "'axb'", -EINVAL, "", "match" },
		{ "{'pattern':'^a\\\\tb$'}", "'a\\tb'", 0, NULL, NULL },
		{ "{'pattern':'^(\\\\d{1,3}\\\\.){3}\\\\d{1,3}$'}",
		    "'10.0.0.255'", 0, NULL, NULL },
		{ "{'pattern':'^[[:alpha:]]+$'}", "'Zz'", 0, NULL, NULL },
		/* lazy quantifiers match the same strings */
		{ "{'pattern':'^a+?b*?c{1,2}?$'}", "'aacc'", 0, NULL, NULL },
		{ "{'pattern':'^a+?b*?c{1,2}?$'}", "'aaccc'", -EINVAL, "",
		    "must match" },
		{ "{'pattern':'^(a|b)+$'}", "'abba'", 0, NULL, NULL },
		/* the whole string is matched, NUL bytes included */
		{ "{'pattern':'^ab'}", "'ab\\u0000c'", 0, NULL, NULL },
		{ "{'pattern':'c$'}", "'ab\\u0000c'", 0, NULL, NULL },
		/* a pattern only applies to strings */
		{ "{'pattern':'^x$'}", "12", 0, NULL, NULL },
		/* lengths before pattern */
		{ "{'pattern':'^x$','maxLength':1}", "'yy'", -EINVAL, "",
		    "at most 1 character " },
		/* the same pattern on many items */
		{ "{'items':{'pattern':'^[0-9a-f]{8}$'}}",
		    "['deadbeef','0badf00d','cafebabe','12345678','1234567']",
		    -EINVAL, "/4", "must match pattern \"^[0-9a-f]{8}$\"" },
	};

	RUN_V(cases);
}

static void
checks_nested_paths(void)
{
	static const struct vcase cases[] = {
		{ "{'properties':{'items':{'items':{'properties':{'name':"
		    "{'type':'string'}}}}}}",
		    "{'items':[{'name':'a'},{'name':'b'},{'name':3}]}",
		    -EINVAL, "/items/2/name", "must be a string, got integer" },
		{ "{'properties':{'a':{'properties':{'b':{'properties':{'c':"
		    "{'const':1}}}}}}}", "{'a':{'b':{'c':2}}}", -EINVAL,
		    "/a/b/c", "must be equal to 1" },
		{ "{'properties':{'a':{'properties':{'b':{'required':['z']}}}}}",
		    "{'a':{'b':{}}}", -EINVAL, "/a/b",
		    "missing required property \"z\"" },
		{ "{'items':{'items':{'type':'integer'}}}", "[[1],[2,3,'x']]",
		    -EINVAL, "/1/2", "must be an integer, got string" },
		/* JSON Pointer escapes */
		{ "{'properties':{'a/b':{'properties':{'~c':{'type':'null'}}}}}",
		    "{'a/b':{'~c':1}}", -EINVAL, "/a~1b/~0c",
		    "must be null, got integer" },
		{ "{'properties':{'':{'type':'null'}}}", "{'':1}", -EINVAL,
		    "/", "must be null" },
	};

	RUN_V(cases);
}

static void
checks_additional_properties(void)
{
	static const struct vcase cases[] = {
		{ SEARCH_SCHEMA, "{'query':'q','foo':1}", -EINVAL, "",
		    "unexpected property \"foo\"" },
		{ "{'additionalProperties':false}", "{}", 0, NULL, NULL },
		{ "{'additionalProperties':true}", "{'x':1}", 0, NULL, NULL },
		{ "{'additionalProperties':{'type':'integer'}}",
		    "{'a':1,'b':'two'}", -EINVAL, "/b",
		    "must be an integer, got string" },
		{ "{'properties':{'a':{'type':'string'}},"
		    "'additionalProperties':{'type':'integer'}}",
		    "{'a':'s','b':2}", 0, NULL, NULL },
		{ "{'properties':{'a':{}},'additionalProperties':false}",
		    "{'a':1,'b':2,'c':3}", -EINVAL, "",
		    "unexpected property \"b\"" },
		{ "{'properties':{'o':{'additionalProperties':false}}}",
		    "{'o':{'a\\u0001':1}}", -EINVAL, "/o",
		    "unexpected property \"a\\u0001\"" },
		/* only applies to objects */
		{ "{'additionalProperties':false}", "[1]", 0, NULL, NULL },
	};

	RUN_V(cases);
}

static void
checks_arrays(void)
{
	static const struct vcase cases[] = {
		{ "{'minItems':1}", "[]", -EINVAL, "",
		    "must have at least 1 item (got 0)" },
		{ "{'minItems':2}", "[1,2]", 0, NULL, NULL },
		{ "{'maxItems':2}", "[1,2,3]", -EINVAL, "",
		    "must have at most 2 items (got 3)" },
		{ "{'maxItems':0}", "[]", 0, NULL, NULL },
		{ "{'items':{'type':'string'}}", "['a','b']", 0, NULL, NULL },
		{ "{'items':{'type':'string'}}", "['a',null]", -EINVAL, "/1",
		    "must be a string, got null" },
		{ "{'items':{'enum':[1,2]}}", "[1,2,3]", -EINVAL, "/2",
		    "must be one of 1, 2" },
		{ "{'uniqueItems':true}", "[1,2,3]", 0, NULL, NULL },
		{ "{'uniqueItems':true}", "[1,2,1]", -EINVAL, "",
		    "must have unique items (items 0 and 2 are equal)" },
		{ "{'uniqueItems':true}", "[{'a':1,'b':[1]},{'b':[1],'a':1}]",
		    -EINVAL, "", "items 0 and 1 are equal" },
		{ "{'uniqueItems':true}", "[{'a':1},{'a':2},[1],[1,2],'1',1]",
		    0, NULL, NULL },
		{ "{'uniqueItems':true}", "[0.0,-0.0]", -EINVAL, "",
		    "items 0 and 1 are equal" },
		{ "{'uniqueItems':true}", "[null,true,false,'',null]", -EINVAL,
		    "", "items 0 and 4 are equal" },
		{ "{'uniqueItems':false}", "[1,1]", 0, NULL, NULL },
		/* counts and uniqueness come before items */
		{ "{'maxItems':1,'items':{'type':'string'}}", "[1,2]", -EINVAL,
		    "", "at most 1 item " },
		{ "{'uniqueItems':true,'items':{'type':'string'}}", "[1,1]",
		    -EINVAL, "", "unique" },
	};

	RUN_V(cases);
}

static void
checks_property_counts(void)
{
	static const struct vcase cases[] = {
		{ "{'minProperties':1}", "{}", -EINVAL, "",
		    "must have at least 1 property (got 0)" },
		{ "{'minProperties':1}", "{'a':1}", 0, NULL, NULL },
		{ "{'maxProperties':1}", "{'a':1,'b':2}", -EINVAL, "",
		    "must have at most 1 property (got 2)" },
		{ "{'maxProperties':2}", "{'a':1,'b':2,'c':3}", -EINVAL, "",
		    "must have at most 2 properties (got 3)" },
		{ "{'maxProperties':0}", "[1,2]", 0, NULL, NULL },
	};

	RUN_V(cases);
}

static void
reports_first_violation(void)
{
	static const struct vcase cases[] = {
		/* type before enum */
		{ "{'type':'string','enum':[1]}", "2", -EINVAL, "",
		    "must be a string" },
		/* enum before const before bounds */
		{ "{'enum':[5,6],'const':6,'maximum':1}", "7", -EINVAL, "",
		    "must be one of" },
		{ "{'enum':[5,6],'const':6,'maximum':1}", "5", -EINVAL, "",
		    "must be equal to 6" },
		{ "{'enum':[5,6],'const':6,'maximum':1}", "6", -EINVAL, "",
		    "must be <= 1" },
		/* counts before required before properties */
		{ "{'minProperties':3,'required':['a'],"
		    "'properties':{'b':{'type':'string'}}}", "{'b':1}",
		    -EINVAL, "", "at least 3 properties" },
		{ "{'required':['a'],'properties':{'b':{'type':'string'}}}",
		    "{'b':1}", -EINVAL, "", "missing required property" },
		/* properties in schema order, not instance order */
		{ "{'properties':{'z':{'type':'string'},'a':{'type':'string'}}}",
		    "{'a':1,'z':2}", -EINVAL, "/z", "must be a string" },
		/* properties before additionalProperties */
		{ "{'properties':{'a':{'type':'string'}},"
		    "'additionalProperties':false}", "{'x':1,'a':1}", -EINVAL,
		    "/a", "must be a string" },
		/* additionalProperties in instance order */
		{ "{'additionalProperties':false}", "{'y':1,'x':1}", -EINVAL,
		    "", "unexpected property \"y\"" },
		/* the first bad item */
		{ "{'items':{'maximum':0}}", "[0,5,'x',7]", -EINVAL, "/1",
		    "must be <= 0 (got 5)" },
	};

	RUN_V(cases);
}

static void
check_rejects_malformed(void)
{
	static const struct ccase cases[] = {
		{ "[]", "", "schema must be an object, got array" },
		{ "true", "", "schema must be an object, got boolean" },
		{ "{'type':'str'}", "/type", "unknown type \"str\"" },
		{ "{'type':5}", "/type", "must be a type name" },
		{ "{'type':[]}", "/type", "non-empty array" },
		{ "{'type':['string',1]}", "/type/1",
		    "must be a type name, got integer" },
		{ "{'type':['string','nul']}", "/type/1",
		    "unknown type \"nul\"" },
		{ "{'type':['null','null']}", "/type/1",
		    "duplicate type \"null\"" },
		{ "{'enum':[]}", "/enum", "must be a non-empty array" },
		{ "{'enum':'a'}", "/enum", "must be a non-empty array, got "
		    "string" },
		{ "{'required':'a'}", "/required",
		    "must be an array of property names, got string" },
		{ "{'required':['a',2]}", "/required/1",
		    "must be a property name string, got integer" },
		{ "{'properties':[]}", "/properties",
		    "must be an object of schemas, got array" },
		{ "{'properties':{'a':1}}", "/properties/a",
		    "schema must be an object, got integer" },
		{ "{'properties':{'a':{'type':'object','properties':"
		    "{'b':{'minimum':'1'}}}}}",
		    "/properties/a/properties/b/minimum",
		    "must be a number, got string" },
		{ "{'additionalProperties':'no'}", "/additionalProperties",
		    "must be a boolean or a schema object, got string" },
		{ "{'additionalProperties':{'type':'x'}}",
		    "/additionalProperties/type", "unknown type" },
		{ "{'items':[{}]}", "/items", "array form is not supported" },
		{ "{'items':true}", "/items", "must be a schema object, got "
		    "boolean" },
		{ "{'items':{'items':{'maxItems':-1}}}", "/items/items/maxItems",
		    "must be a non-negative integer, got -1" },
		{ "{'minimum':null}", "/minimum", "must be a number, got null" },
		{ "{'maximum':[1]}", "/maximum", "must be a number, got array" },
		{ "{'exclusiveMinimum':true}", "/exclusiveMinimum",
		    "draft-4 boolean form is not supported" },
		{ "{'exclusiveMaximum':'3'}", "/exclusiveMaximum",
		    "must be a number" },
		{ "{'minLength':1.5}", "/minLength",
		    "must be a non-negative integer, got number" },
		{ "{'maxLength':'3'}", "/maxLength",
		    "must be a non-negative integer, got string" },
		{ "{'minItems':-2}", "/minItems", "non-negative integer" },
		{ "{'minProperties':{}}", "/minProperties",
		    "non-negative integer, got object" },
		{ "{'maxProperties':null}", "/maxProperties",
		    "non-negative integer, got null" },
		{ "{'uniqueItems':1}", "/uniqueItems",
		    "must be a boolean, got integer" },
		{ "{'pattern':5}", "/pattern", "must be a string, got integer" },
		/* the first bad keyword in schema order */
		{ "{'minLength':-1,'maxLength':-1}", "/minLength",
		    "non-negative" },
	};

	RUN_C(cases);
}

static void
check_rejects_unknown_keywords(void)
{
	static const struct ccase cases[] = {
		{ "{'anyOf':[{}]}", "/anyOf", "unsupported keyword \"anyOf\"" },
		{ "{'type':'object','properties':{'a':{'$ref':'#/x'}}}",
		    "/properties/a/$ref", "unsupported keyword \"$ref\"" },
		{ "{'items':{'nullable':true}}", "/items/nullable",
		    "unsupported keyword \"nullable\"" },
		{ "{'Type':'string'}", "/Type", "unsupported keyword \"Type\"" },
		{ "{'a/b~':1}", "/a~1b~0", "unsupported keyword \"a/b~\"" },
		{ "{'minlength':1}", "/minlength", "\"minlength\"" },
	};
	json_t *schema;

	RUN_C(cases);

	/* annotations are accepted whatever their value */
	schema = J("{'title':1,'description':null,'default':{'x':[1]},"
	    "'examples':[1,'a'],'$schema':'x','$id':'y','$comment':'z',"
	    "'format':'date-time','properties':{'a':{'title':'A',"
	    "'format':7}}}");
	t_bail_if(schema == NULL);
	is_int(schema_check(schema, NULL), 0);
	json_decref(schema);
}

static void
check_rejects_bad_patterns(void)
{
	static const struct ccase cases[] = {
		{ "{'pattern':'(a'}", "/pattern", "invalid pattern: " },
		{ "{'pattern':'[a-'}", "/pattern",
		    "invalid pattern: unterminated bracket expression" },
		{ "{'pattern':'a{2,1}'}", "/pattern", "invalid pattern: " },
		{ "{'pattern':'(a)\\\\1'}", "/pattern",
		    "invalid pattern: \\1 is not supported" },
		{ "{'pattern':'\\\\u0041'}", "/pattern", "\\u is not supported" },
		{ "{'pattern':'\\\\x41'}", "/pattern", "\\x is not supported" },
		{ "{'pattern':'\\\\p{L}'}", "/pattern", "\\p is not supported" },
		{ "{'pattern':'abc\\\\'}", "/pattern", "ends with a backslash" },
		{ "{'pattern':'[\\\\D]'}", "/pattern",
		    "\\D is not supported inside a bracket expression" },
		{ "{'pattern':'a\\u0000b'}", "/pattern", "contains a NUL" },
		{ "{'pattern':'[[:alpha:]'}", "/pattern", "invalid pattern" },
		{ "{'pattern':'[[:alpha]'}", "/pattern", "unterminated [:" },
		/* repetitions that would expand to huge automata */
		{ "{'pattern':'((a{100}){100}){100}'}", "/pattern",
		    "repetitions expand to more than" },
		{ "{'pattern':'a{2001}'}", "/pattern",
		    "repetitions expand to more than" },
		{ "{'pattern':'(ab|cd{50}){50}'}", "/pattern",
		    "repetitions expand" },
		{ "{'pattern':'(x{45}){45}'}", "/pattern", "repetitions expand" },
		/* glibc copies what "+" repeats */
		{ "{'pattern':'(((((((((((a+)+)+)+)+)+)+)+)+)+)+)+'}", "/pattern",
		    "repetitions expand" },
		{ "{'pattern':'x{45}{45}'}", "/pattern",
		    "a quantifier follows another one" },
		{ "{'pattern':'a**'}", "/pattern",
		    "a quantifier follows another one" },
		{ "{'pattern':'a+*'}", "/pattern",
		    "a quantifier follows another one" },
		{ "{'pattern':'a*?" "?'}", "/pattern",
		    "a quantifier follows another one" },
		{ "{'pattern':'a)'}", "/pattern", "unmatched )" },
		/* nested groups: glibc's regcomp takes seconds at 60 */
		{ "{'pattern':'(((((((((((((((((a*)*)*)*)*)*)*)*)*)*)*)*)*)*)*)*)*)*'}",
		    "/pattern", "groups nested deeper than 16" },
		{ "{'properties':{'p':{'pattern':'(?=x)'}}}",
		    "/properties/p/pattern", "invalid pattern" },
	};
	struct schema_error err;
	json_t *schema;
	char big[SCHEMA_MAX_PATTERN + 2];

	RUN_C(cases);

	memset(big, 'a', sizeof big - 1);
	big[sizeof big - 1] = '\0';
	schema = json_pack("{s:s}", "pattern", big);
	t_bail_if(schema == NULL);
	is_int(schema_check(schema, &err), -EINVAL);
	has_str(err.message, "longer than 256 bytes");
	json_decref(schema);

	/* just at the limits */
	big[sizeof big - 2] = '\0';
	schema = json_pack("{s:s}", "pattern", big);
	t_bail_if(schema == NULL);
	is_int(schema_check(schema, &err), 0);
	json_decref(schema);
	schema = J("{'pattern':'^(\\\\d{1,3}\\\\.){3}[a-z]{0,1000}x{100}$'}");
	t_bail_if(schema == NULL);
	is_int(schema_check(schema, &err), 0);
	json_decref(schema);
}

/* Returns @levels arrays nested in each other, the innermost empty. */
static json_t *
nested_arrays(int levels)
{
	json_t *cur = json_array(), *outer;
	int i;

	for (i = 1; i < levels; i++) {
		outer = json_array();
		json_array_append_new(outer, cur);
		cur = outer;
	}
	return cur;
}

/* Returns a schema of @levels objects nested through @key. */
static json_t *
nested_schemas(int levels, const char *key)
{
	json_t *cur = json_object(), *outer;
	int i;

	for (i = 1; i < levels; i++) {
		outer = json_object();
		json_object_set_new(outer, key, cur);
		cur = outer;
	}
	return cur;
}

static void
limits_instance_depth(void)
{
	struct schema_error err;
	json_t *schema, *inst, *obj;
	int i;

	schema = J("{'items':{'items':{}}}");
	t_bail_if(schema == NULL);

	inst = nested_arrays(10000);
	is_int(schema_validate(schema, inst, &err), -EINVAL);
	has_str(err.message, "nested deeper than 32 levels");
	is_int((long long)strlen(err.path), 2 * 33);	/* "/0" x 33 */
	json_decref(inst);

	/* 33 arrays: the innermost lies 32 levels below the root */
	inst = nested_arrays(33);
	is_int(schema_validate(schema, inst, &err), 0);
	json_decref(inst);
	inst = nested_arrays(34);
	is_int(schema_validate(schema, inst, &err), -EINVAL);
	json_decref(inst);

	/* a scalar at level 33 */
	inst = nested_arrays(33);
	for (obj = inst, i = 0; i < 32; i++)
		obj = json_array_get(obj, 0);
	json_array_append_new(obj, json_integer(1));
	is_int(schema_validate(schema, inst, &err), -EINVAL);
	json_decref(inst);

	/* deep objects under keys, with a schema that ignores them */
	inst = json_object();
	for (obj = inst, i = 0; i < 5000; i++) {
		json_t *child = json_object();

		json_object_set_new(obj, "k", child);
		obj = child;
	}
	is_int(schema_validate(schema, inst, &err), -EINVAL);
	has_str(err.path, "/k/k/k/k/k");
	has_str(err.message, "nested deeper than 32 levels");
	json_decref(inst);
	json_decref(schema);

	/* the parser refuses this much nesting anyway; no crash either way */
	{
		static char text[20001];

		memset(text, '[', 10000);
		memset(text + 10000, ']', 10000);
		inst = json_loads(text, 0, NULL);
		ok(inst == NULL);
		json_decref(inst);
	}
}

static void
limits_schema_depth(void)
{
	struct schema_error err;
	json_t *schema, *inst, *value;
	int i;

	schema = nested_schemas(10000, "items");
	is_int(schema_check(schema, &err), -EINVAL);
	has_str(err.message, "schema nested deeper than 32 levels");
	has_str(err.path, "/items/items/items");
	/* unchecked, it still fails cleanly */
	inst = nested_arrays(30);
	is_int(schema_validate(schema, inst, &err), 0);
	json_decref(inst);
	json_decref(schema);

	schema = nested_schemas(33, "items");
	is_int(schema_check(schema, &err), 0);
	json_decref(schema);
	schema = nested_schemas(34, "additionalProperties");
	is_int(schema_check(schema, &err), -EINVAL);
	has_str(err.path, "/additionalProperties/additionalProperties/");
	json_decref(schema);

	/* properties nest too; the path gets cut with "..." */
	schema = json_object();
	{
		json_t *cur = schema;

		for (i = 0; i < 40; i++) {
			json_t *props = json_object(), *sub = json_object();

			json_object_set_new(cur, "properties", props);
			json_object_set_new(props, "p", sub);
			cur = sub;
		}
	}
	is_int(schema_check(schema, &err), -EINVAL);
	has_str(err.message, "schema nested deeper");
	ok(strlen(err.path) < sizeof err.path);
	ok(strlen(err.path) > 100);
	has_str(err.path, "...");
	json_decref(schema);

	/* deep values inside enum and const */
	value = nested_arrays(40);
	schema = json_pack("{s:[O]}", "enum", value);
	is_int(schema_check(schema, &err), -EINVAL);
	has_str(err.path, "/enum/0/0/0");
	has_str(err.message, "nested deeper than 32 levels");
	json_decref(schema);
	schema = json_pack("{s:O}", "const", value);
	is_int(schema_check(schema, &err), -EINVAL);
	has_str(err.path, "/const/0/0");
	/* unchecked: json_equal() is bounded by the instance's depth */
	inst = nested_arrays(20);
	is_int(schema_validate(schema, inst, &err), -EINVAL);
	has_str(err.message, "must be equal to [[[[");
	json_decref(inst);
	json_decref(schema);
	json_decref(value);
}

static void
limits_unique_items(void)
{
	struct schema_error err;
	json_t *schema, *inst;
	int i;

	schema = J("{'uniqueItems':true}");
	t_bail_if(schema == NULL);
	inst = json_array();
	for (i = 0; i < SCHEMA_MAX_UNIQUE; i++)
		json_array_append_new(inst, json_integer(i));
	is_int(schema_validate(schema, inst, &err), 0);
	json_array_append_new(inst, json_string("x"));
	is_int(schema_validate(schema, inst, &err), -EINVAL);
	has_str(err.message, "too many items");
	json_decref(inst);

	/* duplicates found at the far end */
	inst = json_array();
	for (i = 0; i < SCHEMA_MAX_UNIQUE - 1; i++)
		json_array_append_new(inst, json_pack("{s:i}", "n", i));
	json_array_append_new(inst, json_pack("{s:i}", "n", 7));
	is_int(schema_validate(schema, inst, &err), -EINVAL);
	has_str(err.message, "items 7 and 1023 are equal");
	json_decref(inst);
	json_decref(schema);
}

/* Returns a string of @n copies of @ch. */
static json_t *
long_string(size_t n, char ch)
{
	char *s = malloc(n + 1);
	json_t *v;

	if (s == NULL)
		abort();
	memset(s, ch, n);
	s[n] = '\0';
	v = json_string(s);
	free(s);
	return v;
}

static void
limits_pattern_matching(void)
{
	struct schema_error err;
	json_t *schema, *inst;
	int i;

	/* "^[a-z]+$" costs 7 with the search wrapper: 32768 / 7 - 1 bytes */
	schema = J("{'pattern':'^[a-z]+$'}");
	t_bail_if(schema == NULL);
	inst = long_string(4680, 'a');
	is_int(schema_validate(schema, inst, &err), 0);
	json_decref(inst);
	inst = long_string(4681, 'a');
	is_int(schema_validate(schema, inst, &err), -EINVAL);
	has_str(err.message, "is too long to check against pattern "
	    "\"^[a-z]+$\" (4681 bytes, at most 4680)");
	json_decref(inst);
	/* no pattern, no limit */
	json_decref(schema);
	schema = J("{'maxLength':100000}");
	inst = long_string(100000, 'a');
	is_int(schema_validate(schema, inst, &err), 0);
	json_decref(inst);
	json_decref(schema);

	/* the budget of one call: 37 strings of 4000 bytes at cost 7 */
	schema = J("{'items':{'pattern':'^[a-z]+$'}}");
	inst = json_array();
	for (i = 0; i < 37; i++)
		json_array_append_new(inst, long_string(4000, 'b'));
	is_int(schema_validate(schema, inst, &err), 0);
	json_array_append_new(inst, long_string(4000, 'c'));
	is_int(schema_validate(schema, inst, &err), -EINVAL);
	is_str(err.path, "/37");
	has_str(err.message, "too much pattern matching in one call");
	/* each call has its own budget */
	json_array_remove(inst, 37);
	is_int(schema_validate(schema, inst, &err), 0);
	json_decref(inst);
	json_decref(schema);
}

static void
cuts_long_text_on_utf8_boundaries(void)
{
	struct schema_error err;
	json_t *schema, *inst;
	char key[400], fmt_out[512];
	size_t i;

	/* a long key of 3-byte characters, as path and in the message */
	for (i = 0; i + 3 < sizeof key; i += 3)
		memcpy(key + i, "\xe2\x82\xac", 3);	/* U+20AC */
	key[i] = '\0';
	schema = J("{'additionalProperties':{'type':'string'}}");
	t_bail_if(schema == NULL);
	inst = json_pack("{s:i}", key, 1);
	is_int(schema_validate(schema, inst, &err), -EINVAL);
	ok(valid_utf8(err.path));
	has_str(err.path, "...");
	ok(strlen(err.path) < sizeof err.path);
	json_decref(schema);

	schema = J("{'additionalProperties':false}");
	is_int(schema_validate(schema, inst, &err), -EINVAL);
	ok(valid_utf8(err.message));
	has_str(err.message, "unexpected property \"\xe2\x82\xac");
	has_str(err.message, "...\"");
	schema_error_format(&err, fmt_out, sizeof fmt_out);
	ok(valid_utf8(fmt_out));
	for (i = 5; i < 40; i++) {
		schema_error_format(&err, fmt_out, i);
		ok(strlen(fmt_out) < i);
		ok(valid_utf8(fmt_out));
	}
	json_decref(inst);
	json_decref(schema);
}

static void
formats_errors(void)
{
	struct schema_error err;
	char out[256];

	memset(&err, 0, sizeof err);
	strcpy(err.message, "missing required property \"query\"");
	schema_error_format(&err, out, sizeof out);
	is_str(out, "missing required property \"query\"");

	strcpy(err.path, "/items/2/name");
	strcpy(err.message, "must be at most 10 characters (got 14)");
	schema_error_format(&err, out, sizeof out);
	is_str(out, "at /items/2/name: must be at most 10 characters (got 14)");

	/* stays on one line */
	strcpy(err.path, "/a\nb");
	strcpy(err.message, "x\ty\x1b");
	schema_error_format(&err, out, sizeof out);
	is_str(out, "at /a\\nb: x\\ty\\u001b");

	/* truncation */
	strcpy(err.path, "/abcdef");
	strcpy(err.message, "message");
	schema_error_format(&err, out, 12);
	is_str(out, "at /abcd...");
	schema_error_format(&err, out, 3);
	is_str(out, "");
	out[0] = 'x';
	schema_error_format(&err, out, 0);
	ok(out[0] == 'x');
	schema_error_format(NULL, out, sizeof out);
	is_str(out, "no error");
}

static void
end_to_end_message(void)
{
	struct schema_error err;
	json_t *schema, *inst;
	char out[256];

	schema = J(SEARCH_SCHEMA);
	inst = J("{'query':'a much too long query'}");
	t_bail_if(schema == NULL || inst == NULL);
	is_int(schema_check(schema, &err), 0);
	is_int(schema_validate(schema, inst, &err), -EINVAL);
	schema_error_format(&err, out, sizeof out);
	is_str(out, "at /query: must be at most 10 characters (got 21)");
	json_decref(inst);

	inst = J("{'query':'q','sites':['a','b','a']}");
	is_int(schema_validate(schema, inst, &err), -EINVAL);
	schema_error_format(&err, out, sizeof out);
	is_str(out, "at /sites: must have unique items (items 0 and 2 are "
	    "equal)");
	json_decref(inst);

	inst = J("{'query':'q','lang':'es'}");
	is_int(schema_validate(schema, inst, &err), -EINVAL);
	schema_error_format(&err, out, sizeof out);
	is_str(out, "at /lang: must be one of \"en\", \"de\", \"fr\"");
	json_decref(inst);

	inst = J("{'query':'q','limit':0}");
	is_int(schema_validate(schema, inst, &err), -EINVAL);
	schema_error_format(&err, out, sizeof out);
	is_str(out, "at /limit: must be >= 1 (got 0)");
	json_decref(inst);
	json_decref(schema);
}

static void
handles_null_and_unchecked(void)
{
	struct schema_error err;
	json_t *inst, *schema;
	size_t i;
	static const char *bad[] = {
		"{'type':5}", "{'pattern':'(a'}", "{'pattern':'(a)\\\\1'}",
		"{'enum':[]}", "{'properties':{'a':7}}", "{'items':[1]}",
		"{'required':[1]}", "{'minLength':-1}", "{'nope':1}", "3",
		"{'additionalProperties':{'x':1}}",
	};

	is_int(schema_check(NULL, &err), -EINVAL);
	has_str(err.message, "schema is missing");
	is_int(schema_check(NULL, NULL), -EINVAL);
	inst = J("{'a':{'z':1},'b':[1]}");
	t_bail_if(inst == NULL);
	is_int(schema_validate(NULL, inst, &err), -EINVAL);
	has_str(err.message, "schema is missing");
	schema = J("{}");
	is_int(schema_validate(schema, NULL, &err), -EINVAL);
	has_str(err.message, "instance is missing");
	is_int(schema_validate(schema, inst, NULL), 0);
	json_decref(schema);
	schema = J("{'type':'array'}");
	is_int(schema_validate(schema, inst, NULL), -EINVAL);
	json_decref(schema);

	/* schemas that fail schema_check() give errors, never crash */
	for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		static const char *insts[] = {
			"'s'", "{'z':'s'}", "['s']", "{'a':{'z':'s'}}",
		};
		json_t *wrapped, *other;
		size_t j;
		int fails = 0;

		schema = J(bad[i]);
		t_bail_if(schema == NULL);
		is_int(schema_check(schema, &err), -EINVAL);
		wrapped = json_pack("{s:{s:O},s:O}", "properties", "a", schema,
		    "additionalProperties", schema);
		for (j = 0; j < sizeof insts / sizeof insts[0]; j++) {
			other = J(insts[j]);
			fails += schema_validate(wrapped, other, &err) != 0;
			fails += schema_validate(schema, other, &err) != 0;
			json_decref(other);
		}
		ok(fails > 0);
		json_decref(wrapped);
		json_decref(schema);
	}
	json_decref(inst);
}

#define TESTS(X) \
	X(accepts_valid_object) \
	X(rejects_missing_required) \
	X(checks_types) \
	X(integer_vs_number) \
	X(checks_enum_and_const) \
	X(checks_numeric_bounds) \
	X(counts_code_points) \
	X(matches_patterns) \
	X(checks_nested_paths) \
	X(checks_additional_properties) \
	X(checks_arrays) \
	X(checks_property_counts) \
	X(reports_first_violation) \
	X(check_rejects_malformed) \
	X(check_rejects_unknown_keywords) \
	X(check_rejects_bad_patterns) \
	X(limits_instance_depth) \
	X(limits_schema_depth) \
	X(limits_unique_items) \
	X(limits_pattern_matching) \
	X(cuts_long_text_on_utf8_boundaries) \
	X(formats_errors) \
	X(end_to_end_message) \
	X(handles_null_and_unchecked)
T_MAIN(TESTS)

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "jsonin.h"
#include "pricing.h"
#include "util.h"

#define PRICING_FILE_MAX	(1024 * 1024)

struct pricing {
	json_t *models;		/* name → {input_per_mtok, output_per_mtok} */
	json_t *missed;		/* models reported without a price: name → true */
};

struct pricing *
pricing_create_empty(void)
{
	struct pricing *p = xcalloc(1, sizeof(*p));

	p->models = json_object();
	p->missed = json_object();
	return p;
}

void
pricing_destroy(struct pricing *p)
{
	if (p == NULL)
		return;
	json_decref(p->models);
	json_decref(p->missed);
	free(p);
}

int
pricing_load(const char *path, struct pricing **out, char *err, size_t errlen)
{
	json_error_t jerr;
	json_t *root, *models = NULL, *entry;
	const char *name;
	double in, outp;
	int r = -EINVAL;

	char msg[600];

	/* a regular file, never blocking, bounded (a FIFO must not hang) */
	if ((r = jsonin_load_file(path, PRICING_FILE_MAX, "a pricing table",
	    &root, err, errlen)) != 0)
		return r;
	r = -EINVAL;
	if (jsonin_unpack(root, "", msg, sizeof(msg), "{s:o, s?s}", "models",
	    &models, "note", &(const char *){ NULL }) != 0 ||
	    !json_is_object(models)) {
		snprintf(err, errlen, "%s: expected {\"models\": {...}}: %s", path,
		    models != NULL ? "field \"models\" must be an object" : msg);
		goto out;
	}
	json_object_foreach(models, name, entry) {
		if (json_unpack_ex(entry, &jerr, JSON_STRICT, "{s:F, s:F}",
		    "input_per_mtok", &in, "output_per_mtok", &outp) != 0 ||
		    in < 0 || outp < 0) {
			snprintf(err, errlen, "%s: model \"%s\": needs input_per_mtok "
			    "and output_per_mtok >= 0", path, name);
			goto out;
		}
	}
	*out = pricing_create_empty();
	json_decref((*out)->models);
	(*out)->models = json_incref(models);
	r = 0;
out:
	json_decref(root);
	return r;
}

bool
pricing_find(const struct pricing *p, const char *model, struct price *out)
{
	json_t *entry = json_object_get(p->models, model);
	const char *colon;
	char wildcard[128];

	if (entry == NULL && (colon = strchr(model, ':')) != NULL &&
	    fmt(wildcard, sizeof(wildcard), "%.*s:*", (int)(colon - model),
	    model) >= 0)
		entry = json_object_get(p->models, wildcard);
	if (entry == NULL)
		return false;
	out->input_per_mtok = json_number_value(json_object_get(entry,
	    "input_per_mtok"));
	out->output_per_mtok = json_number_value(json_object_get(entry,
	    "output_per_mtok"));
	return true;
}

double
price_cost(const struct price *price, double tokens_in, double tokens_out)
{
	return (tokens_in * price->input_per_mtok +
	    tokens_out * price->output_per_mtok) / 1e6;
}

bool
pricing_first_miss(struct pricing *p, const char *model)
{
	/* model names come from clients (--model): the memory is bounded */
	if (json_object_get(p->missed, model) != NULL ||
	    json_object_size(p->missed) >= PRICING_MISSES_MAX)
		return false;
	json_object_set_new(p->missed, model, json_true());
	return true;
}

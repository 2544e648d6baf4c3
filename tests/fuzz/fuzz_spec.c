/* libFuzzer target: agent specs (with their tool definitions and schemas)
 * and sim scenario files, as read from the agents directory. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "agent.h"
#include "providers/provider.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	json_error_t jerr;
	json_t *root = json_loadb((const char *)data, size, JSON_REJECT_DUPLICATES,
	    &jerr);
	struct agent *a = NULL;
	char err[1024];

	if (root == NULL)
		return 0;
	err[0] = '\0';
	if (agent_parse(root, "fuzz.json", &a, err, sizeof(err)) == 0) {
		json_t *summary = agent_to_json(a);
		if (summary == NULL)
			abort();
		json_decref(summary);
		agent_unref(a);
	} else if (strncmp(err, "fuzz.json", 9) != 0) {
		abort();	/* every error names the file */
	}
	err[0] = '\0';
	if (sim_scenario_validate(root, "fuzz.json", err, sizeof(err)) != 0 &&
	    strncmp(err, "fuzz.json", 9) != 0)
		abort();
	json_decref(root);
	return 0;
}

/* libFuzzer target: agent specs (with their tool definitions and schemas)
 * and sim scenario files, as read from the agents directory. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "agent.h"
#include "providers/provider.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Errors are in agentd's words: jansson's never reach an operator (unless
 * the input itself holds them, in a key or a value). */
static void
check_words(const char *err, const char *input)
{
	static const char *const words[] = {
		"Expected ", "left unpacked", "JSON_", "item not found",
	};

	for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++)
		if (strstr(err, words[i]) != NULL &&
		    (input == NULL || strstr(input, words[i]) == NULL))
			abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	json_error_t jerr;
	json_t *root = json_loadb((const char *)data, size, JSON_REJECT_DUPLICATES,
	    &jerr);
	struct agent *a = NULL;
	char err[1024], *input;

	if (root == NULL)
		return 0;
	input = json_dumps(root, JSON_ENCODE_ANY);	/* decoded: \u escapes too */
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
	check_words(err, input);
	err[0] = '\0';
	if (sim_scenario_validate(root, "fuzz.json", err, sizeof(err)) != 0 &&
	    strncmp(err, "fuzz.json", 9) != 0)
		abort();
	check_words(err, input);
	free(input);
	json_decref(root);
	return 0;
}

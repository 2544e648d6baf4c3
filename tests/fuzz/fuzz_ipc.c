/* libFuzzer target: every decoder of the protocol (requests, replies,
 * events) on the same bytes. Anything they accept must encode again. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "ipc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ipc_error_detail detail = { "" };
	struct ipc_msg msg;
	struct ipc_event ev;
	size_t len;
	char *s;

	if (ipc_decode_request(data, size, &msg, &detail) == 0) {
		s = ipc_encode_request(msg.type, msg.id, msg.body, &len);
		if (s == NULL)
			abort();
		free(s);
	} else if (memchr(detail.text, '\0', sizeof(detail.text)) == NULL) {
		abort();
	}
	/* an error reply can always be built from what was read */
	s = ipc_encode_reply_error(msg.type, msg.id, IPC_E_SCHEMA, detail.text, &len);
	if (s == NULL)
		abort();
	free(s);
	ipc_msg_finish(&msg);
	detail.text[0] = '\0';
	if (ipc_decode_reply(data, size, &msg, &detail) == 0 && !msg.ok &&
	    msg.message == NULL)
		abort();
	ipc_msg_finish(&msg);
	if (ipc_decode_event(data, size, &ev, &detail) == 0) {
		if (ev.seq <= 0 || ev.type_name[0] == '\0')
			abort();
		s = ipc_encode_event(ev.body, &len);
		free(s);
	}
	ipc_event_finish(&ev);
	return 0;
}

/*
 * API keys in pages of their own (secret.h). The page holds this struct,
 * the key and the header buffer; it is excluded from core dumps, wiped in
 * forked children where the kernel can, locked in memory where allowed,
 * and wiped before it is unmapped.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "secret.h"

#define SECRET_MAX 4000
#define PREFIX_ROOM 256		/* header prefix the page has room for at least */
#define MIN_RUN 8		/* shortest piece of a key that redact() hides */

struct secret {
	size_t map_len;			/* bytes mapped, from the struct on */
	size_t len;			/* of the key */
	char *header;			/* in the page, after value */
	size_t header_cap;		/* bytes at header, NUL included */
	char value[];			/* len bytes and a NUL, then header */
};

struct secret *
secret_create(const char *value, size_t len)
{
	struct secret *s;
	size_t page, need, map_len;
	void *p;

	if (value == NULL || len == 0 || len > SECRET_MAX ||
	    memchr(value, '\0', len) != NULL)
		return NULL;
	page = (size_t)sysconf(_SC_PAGESIZE);
	if (page == 0 || page == (size_t)-1)
		page = 4096;
	need = sizeof(*s) + (len + 1) + (PREFIX_ROOM + len + 1);
	map_len = (need + page - 1) / page * page;
	p = mmap(NULL, map_len, PROT_READ | PROT_WRITE,
	    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		return NULL;
	/* each best effort: a key is still usable where they fail */
	(void)madvise(p, map_len, MADV_DONTDUMP);
#ifdef MADV_WIPEONFORK
	(void)madvise(p, map_len, MADV_WIPEONFORK);
#endif
	(void)mlock(p, map_len);
	s = p;
	s->map_len = map_len;
	s->len = len;
	memcpy(s->value, value, len);
	s->value[len] = '\0';
	s->header = s->value + len + 1;
	s->header_cap = map_len - (size_t)(s->header - (char *)p);
	s->header[0] = '\0';
	return s;
}

void
secret_destroy(struct secret *s)
{
	size_t map_len;

	if (s == NULL)
		return;
	map_len = s->map_len;
	explicit_bzero(s, map_len);
	(void)munlock(s, map_len);
	munmap(s, map_len);
}

const char *
secret_value(const struct secret *s)
{
	return s != NULL ? s->value : NULL;
}

size_t
secret_len(const struct secret *s)
{
	return s != NULL ? s->len : 0;
}

const char *
secret_header(const struct secret *s)
{
	return s != NULL ? s->header : NULL;
}

int
secret_set_header(struct secret *s, const char *prefix)
{
	size_t plen;

	if (s == NULL || prefix == NULL)
		return -EINVAL;
	plen = strlen(prefix);
	if (plen + s->len + 1 > s->header_cap)
		return -ENAMETOOLONG;
	explicit_bzero(s->header, s->header_cap);
	memcpy(s->header, prefix, plen);
	memcpy(s->header + plen, s->value, s->len + 1);
	return 0;
}

/* Length of the longest prefix of @t (@tlen bytes) found in the key. */
static size_t
longest_in_key(const struct secret *s, const char *t, size_t tlen)
{
	const char *k = s->value, *end = s->value + s->len, *hit;
	size_t best = 0, n;

	if (tlen < MIN_RUN)
		return 0;
	/* every place where the first MIN_RUN bytes occur, extended */
	while ((hit = memmem(k, (size_t)(end - k), t, MIN_RUN)) != NULL) {
		n = MIN_RUN;
		while (n < tlen && hit + n < end && hit[n] == t[n])
			n++;
		if (n > best)
			best = n;
		k = hit + 1;
	}
	return best;
}

/*
 * Greedy from the left: at each byte the longest run that is part of the
 * key is replaced by "***", then the scan goes on after it. A key shorter
 * than MIN_RUN is only hidden where it occurs whole, by as many stars as
 * fit in its place (at most three).
 */
int
secret_redact(const struct secret *s, char *text)
{
	size_t r = 0, w = 0, len, run;
	int n = 0;

	if (s == NULL || text == NULL)
		return 0;
	len = strlen(text);
	while (r < len) {
		if (s->len >= MIN_RUN)
			run = longest_in_key(s, text + r, len - r);
		else
			run = len - r >= s->len &&
			    memcmp(text + r, s->value, s->len) == 0 ? s->len : 0;
		if (run == 0) {
			text[w++] = text[r++];
			continue;
		}
		for (size_t i = 0; i < 3 && i < run; i++)
			text[w++] = '*';
		r += run;
		n++;
	}
	text[w] = '\0';
	return n;
}

void
secret_wipe_env(char *const *envp, const char *name, bool unset)
{
	size_t n = strlen(name);

	for (; envp != NULL && *envp != NULL; envp++)
		if (strncmp(*envp, name, n) == 0 && (*envp)[n] == '=')
			explicit_bzero(*envp + n + 1, strlen(*envp + n + 1));
	if (unset)
		(void)unsetenv(name);
}

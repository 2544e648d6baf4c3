/*
 * Runs a libFuzzer target over files without libFuzzer: each argument is
 * a file or a directory of files. Prints TAP, one line per input, so the
 * corpus doubles as a regression test in every build.
 */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char **files;
static size_t n_files;

static void
add(const char *path)
{
	struct stat st;
	DIR *d;
	struct dirent *de;
	char sub[4096];

	if (stat(path, &st) != 0)
		return;
	if (!S_ISDIR(st.st_mode)) {
		files = realloc(files, (n_files + 1) * sizeof(*files));
		files[n_files++] = strdup(path);
		return;
	}
	if ((d = opendir(path)) == NULL)
		return;
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		snprintf(sub, sizeof(sub), "%s/%s", path, de->d_name);
		add(sub);
	}
	closedir(d);
}

int
main(int argc, char **argv)
{
	for (int i = 1; i < argc; i++)
		add(argv[i]);
	printf("1..%zu\n", n_files);
	for (size_t i = 0; i < n_files; i++) {
		FILE *f = fopen(files[i], "rb");
		uint8_t *buf = NULL;
		long n;

		if (f == NULL || fseek(f, 0, SEEK_END) != 0 || (n = ftell(f)) < 0) {
			printf("not ok %zu - %s (unreadable)\n", i + 1, files[i]);
			continue;
		}
		rewind(f);
		buf = malloc((size_t)n + 1);
		if (fread(buf, 1, (size_t)n, f) != (size_t)n) {
			printf("not ok %zu - %s (short read)\n", i + 1, files[i]);
		} else {
			LLVMFuzzerTestOneInput(buf, (size_t)n);
			printf("ok %zu - %s\n", i + 1, files[i]);
		}
		fclose(f);
		free(buf);
		free(files[i]);
	}
	free(files);
	return 0;
}

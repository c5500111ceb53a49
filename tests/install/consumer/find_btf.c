/* A user's app, built outside btfpack's tree against an installed reader (tests/install):
 * find one kernel's BTF in a pack through btfpack_lookup, the pack layer only.
 * usage: find_btf PACK OS_ID VERSION_ID MACHINE RELEASE OUT
 * Prints "kernels N", "layer L", "size S"; writes the BTF to OUT. Exit 0, or 1 with a message. */
#include <btfpack/lookup.h>
#include <stdio.h>
#include <stdlib.h>

int main(int argc, char **argv) {
	if (argc != 7) {
		fprintf(stderr, "usage: %s PACK OS_ID VERSION_ID MACHINE RELEASE OUT\n", argv[0]);
		return 2;
	}
	char err[512];
	struct btfpack_pack *pack;
	if (btfpack_open_file(argv[1], &pack, err, sizeof(err))) {
		fprintf(stderr, "find_btf: %s\n", err);
		return 1;
	}
	printf("kernels %zu\n", btfpack_count(pack));
	struct btfpack_host host;
	if (btfpack_host_from(argv[2], argv[3], argv[4], argv[5], &host, err, sizeof(err))) {
		fprintf(stderr, "find_btf: %s\n", err);
		btfpack_close(pack);
		return 1;
	}
	struct btfpack_lookup_opts opts = {.kernel_btf = "", .pack = pack, .host = &host};
	struct btfpack_btf btf;
	if (btfpack_lookup(&opts, &btf, err, sizeof(err))) {
		fprintf(stderr, "find_btf: %s\n", err);
		btfpack_close(pack);
		return 1;
	}
	printf("layer %d\nsize %zu\n", (int)btf.layer, btf.size);
	FILE *f = fopen(argv[6], "wb");
	int rc = !f || fwrite(btf.data, 1, btf.size, f) != btf.size;
	if (f && fclose(f))
		rc = 1;
	if (rc)
		fprintf(stderr, "find_btf: %s: cannot write\n", argv[6]);
	btfpack_btf_free(&btf);
	btfpack_close(pack);
	return rc;
}

/* remote_lookup URL PACK OBJ DISTRO VERSION ARCH KERNEL OUT: what an app does on a host whose
 * kernel has no BTF and whose pack lacks that kernel: btfpack_lookup with the pack (layer 3)
 * and libbtfpack_remote's callback (layer 4) asking `btfpack serve` at URL for OBJ. Writes the
 * BTF it got to OUT and prints "layer N". Exit 0 only when layer 4 answered. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "btfpack/lookup.h"
#include "btfpack/remote.h"

int main(int argc, char **argv)
{
	if (argc != 9) {
		fprintf(stderr, "usage: remote_lookup URL PACK OBJ DISTRO VERSION ARCH KERNEL OUT\n");
		return 2;
	}
	char err[1024];
	struct btfpack_pack *pack;
	if (btfpack_open_file(argv[2], &pack, err, sizeof(err))) {
		fprintf(stderr, "remote_lookup: %s\n", err);
		return 1;
	}
	FILE *f = fopen(argv[3], "rb");
	if (!f) {
		perror(argv[3]);
		return 1;
	}
	static char obj[16 << 20];
	size_t n = fread(obj, 1, sizeof(obj), f);
	fclose(f);
	struct btfpack_host host;
	memset(&host, 0, sizeof(host));
	snprintf(host.distro, sizeof(host.distro), "%s", argv[4]);
	snprintf(host.version, sizeof(host.version), "%s", argv[5]);
	snprintf(host.arch, sizeof(host.arch), "%s", argv[6]);
	snprintf(host.kernel, sizeof(host.kernel), "%s", argv[7]);
	struct btfpack_remote remote = {.url = argv[1], .object = obj, .object_size = n, .timeout_ms = 20000};
	struct btfpack_lookup_opts opts = {.kernel_btf = "", .pack = pack, .remote = btfpack_remote_customize,
					   .remote_ctx = &remote, .host = &host};
	struct btfpack_btf btf;
	int rc = btfpack_lookup(&opts, &btf, err, sizeof(err));
	if (rc) {
		fprintf(stderr, "remote_lookup: %s (remote: %s)\n", err, remote.error);
		btfpack_close(pack);
		return 1;
	}
	printf("layer %d\n", (int)btf.layer);
	FILE *o = fopen(argv[8], "wb");
	if (!o || fwrite(btf.data, 1, btf.size, o) != btf.size || fclose(o)) {
		perror(argv[8]);
		return 1;
	}
	int ok = btf.layer == BTFPACK_LAYER_REMOTE;
	btfpack_btf_free(&btf);
	btfpack_close(pack);
	return ok ? 0 : 1;
}

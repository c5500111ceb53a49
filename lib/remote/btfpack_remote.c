/* The reader's layer 4 over HTTP with libcurl (btfpack/remote.h). */
#include "btfpack/remote.h"

#include <curl/curl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct body {
	char *data;
	size_t size, max;
	int over;
};

static size_t on_data(char *p, size_t one, size_t n, void *ctx)
{
	struct body *b = ctx;
	size_t len = one * n;
	if (b->size + len > b->max) {
		b->over = 1;
		return 0; /* makes curl stop with CURLE_WRITE_ERROR */
	}
	char *d = realloc(b->data, b->size + len + 1);
	if (!d)
		return 0;
	memcpy(d + b->size, p, len);
	b->data = d;
	b->size += len;
	b->data[b->size] = 0;
	return len;
}

static int append_param(CURL *c, char *url, size_t cap, const char *name, const char *value)
{
	char *esc = curl_easy_escape(c, value, 0);
	if (!esc)
		return -1;
	size_t used = strlen(url);
	int n = snprintf(url + used, cap - used, "%s=%s&", name, esc);
	curl_free(esc);
	return n < 0 || (size_t)n >= cap - used ? -1 : 0;
}

int btfpack_remote_customize(const struct btfpack_host *host, void *ctx, void **data, size_t *size)
{
	struct btfpack_remote *r = ctx;
	r->error[0] = 0;
	if (!r->url || !r->object || !r->object_size) {
		snprintf(r->error, sizeof(r->error), "btfpack_remote: no service URL or no object set");
		return -1;
	}
	CURL *c = curl_easy_init();
	if (!c) {
		snprintf(r->error, sizeof(r->error), "btfpack_remote: curl_easy_init failed");
		return -1;
	}
	char url[8192];
	snprintf(url, sizeof(url), "%s/api/v1/customize?", r->url);
	if (append_param(c, url, sizeof(url), "distribution", host->distro) ||
	    append_param(c, url, sizeof(url), "distribution_version", host->version) ||
	    append_param(c, url, sizeof(url), "arch", host->arch) ||
	    append_param(c, url, sizeof(url), "kernel_version", host->kernel) ||
	    append_param(c, url, sizeof(url), "format", r->tar_xz ? "tar.xz" : "raw")) {
		snprintf(r->error, sizeof(r->error), "btfpack_remote: request URL too long");
		curl_easy_cleanup(c);
		return -1;
	}
	url[strlen(url) - 1] = 0; /* the last '&' */
	curl_mime *mime = curl_mime_init(c);
	curl_mimepart *part = curl_mime_addpart(mime);
	curl_mime_name(part, "bpf");
	curl_mime_filename(part, "bpf.core.o");
	curl_mime_type(part, "application/octet-stream");
	curl_mime_data(part, r->object, r->object_size);
	struct body b = {NULL, 0, r->max_response ? r->max_response : (size_t)64 << 20, 0};
	char curl_err[CURL_ERROR_SIZE] = "";
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_MIMEPOST, mime);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_data);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, &b);
	curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, r->timeout_ms > 0 ? r->timeout_ms : 10000L);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_ERRORBUFFER, curl_err);
	curl_easy_setopt(c, CURLOPT_USERAGENT, "btfpack-remote/0.1");
	CURLcode rc = curl_easy_perform(c);
	long status = 0;
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
	curl_mime_free(mime);
	curl_easy_cleanup(c);
	int ok = 0;
	if (rc != CURLE_OK)
		snprintf(r->error, sizeof(r->error), "btfpack_remote: %s: %s", r->url,
			 b.over ? "response larger than max_response" : (curl_err[0] ? curl_err : curl_easy_strerror(rc)));
	else if (status != 200)
		snprintf(r->error, sizeof(r->error), "btfpack_remote: %s answered HTTP %ld: %.400s", r->url, status,
			 b.data ? b.data : "");
	else if (!r->tar_xz && (b.size < 24 || (!((uint8_t)b.data[0] == 0x9f && (uint8_t)b.data[1] == 0xeb) &&
					       !((uint8_t)b.data[0] == 0xeb && (uint8_t)b.data[1] == 0x9f))))
		snprintf(r->error, sizeof(r->error), "btfpack_remote: %s answered 200 but not with a BTF (%zu bytes)", r->url,
			 b.size);
	else
		ok = 1;
	if (!ok) {
		free(b.data);
		return -1;
	}
	*data = b.data;
	*size = b.size;
	return 0;
}

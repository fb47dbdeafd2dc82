/* crypto: libcrypto on first use (crypto.h). */
#include "notify/crypto.h"

#include <dlfcn.h>
#include <errno.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#define CRYPTO_SONAME "libcrypto.so.3"
#define CRYPTO_PACKAGE "libssl3"

static struct {
	unsigned char *(*hmac)(const EVP_MD *, const void *, int, const unsigned char *, size_t, unsigned char *,
			       unsigned int *);
	const EVP_MD *(*sha256)(void);
	int (*encode_block)(unsigned char *, const unsigned char *, int);
	void (*cleanse)(void *, size_t);
} lc;
static pthread_once_t lc_once = PTHREAD_ONCE_INIT;
static bool lc_loaded;
static char lc_errmsg[200];

static void lc_load(void)
{
	void *h = dlopen(CRYPTO_SONAME, RTLD_NOW | RTLD_LOCAL);

	if (!h) {
		const char *why = dlerror();

		snprintf(lc_errmsg, sizeof(lc_errmsg), "%s", why ? why : "not found");
		return;
	}
#define SYM(field, name) \
	if (!(*(void **)&lc.field = dlsym(h, name))) { \
		snprintf(lc_errmsg, sizeof(lc_errmsg), "it has no '%s'", name); \
		return; \
	}
	SYM(hmac, "HMAC");
	SYM(sha256, "EVP_sha256");
	SYM(encode_block, "EVP_EncodeBlock");
	SYM(cleanse, "OPENSSL_cleanse");
#undef SYM
	lc_loaded = true;
}

int crypto_init(char *why, size_t len)
{
	pthread_once(&lc_once, lc_load);
	if (lc_loaded)
		return 0;
	if (why && len)
		snprintf(why, len, "%s cannot be loaded: %s; install %s", CRYPTO_SONAME, lc_errmsg, CRYPTO_PACKAGE);
	return -ELIBACC;
}

int crypto_hmac_sha256(const void *key, size_t key_len, const void *msg, size_t n,
		       unsigned char mac[CRYPTO_SHA256_LEN])
{
	unsigned char out[EVP_MAX_MD_SIZE];
	unsigned int out_len = 0;

	if (crypto_init(NULL, 0) < 0)
		return -ELIBACC;
	if (key_len > (size_t)__INT_MAX__ ||
	    !lc.hmac(lc.sha256(), key, (int)key_len, msg, n, out, &out_len) || out_len != CRYPTO_SHA256_LEN)
		return -EIO;
	memcpy(mac, out, CRYPTO_SHA256_LEN);
	lc.cleanse(out, sizeof(out));
	return 0;
}

int crypto_base64(const void *in, size_t n, char *out)
{
	if (crypto_init(NULL, 0) < 0)
		return -ELIBACC;
	if (n > (size_t)__INT_MAX__ / 2)
		return -E2BIG;
	return lc.encode_block((unsigned char *)out, in, (int)n);
}

void crypto_wipe(void *p, size_t n)
{
	if (crypto_init(NULL, 0) == 0)
		lc.cleanse(p, n);
	else
		explicit_bzero(p, n);
}

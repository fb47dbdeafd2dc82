/* crypto: the few OpenSSL libcrypto calls the notifier makes (HMAC-SHA256
 * for DingTalk's signed mode, base64, wiping secrets), with libcrypto.so.3
 * loaded on first use: linked, its relocations cost every command about
 * 2 ms at start (docs/architecture.md, "Dependencies"), though only the
 * notifier signs anything. */
#ifndef PREFLIGHT_NOTIFY_CRYPTO_H
#define PREFLIGHT_NOTIFY_CRYPTO_H

#include <stddef.h>

#define CRYPTO_SHA256_LEN 32

/* Loads libcrypto once. 0, or -ELIBACC with why (when not NULL) filled:
 * "libcrypto.so.3 cannot be loaded: ...; install libssl3". */
int crypto_init(char *why, size_t len);
/* HMAC-SHA256 of msg under key into mac[CRYPTO_SHA256_LEN]. 0, -ELIBACC or -EIO. */
int crypto_hmac_sha256(const void *key, size_t key_len, const void *msg, size_t n,
		       unsigned char mac[CRYPTO_SHA256_LEN]);
/* Standard base64 (with padding) of in into out, which must hold
 * 4 * ((n + 2) / 3) + 1 bytes. Returns the length written, or -ELIBACC. */
int crypto_base64(const void *in, size_t n, char *out);
/* Wipes n bytes in a way the compiler keeps (OPENSSL_cleanse; explicit_bzero without libcrypto). */
void crypto_wipe(void *p, size_t n);

#endif

#ifndef CMODELGATE_OPENSSL_SHIM_H
#define CMODELGATE_OPENSSL_SHIM_H
// The system OpenSSL 3 (libssl-dev): TLS, randomness, hashing and signing.
#include <openssl/ssl.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <openssl/crypto.h>
#include <openssl/sha.h>
// ES256 token signing: keys (EVP, SubjectPublicKeyInfo) and ECDSA signatures (DER <-> raw r||s).
#include <openssl/x509.h>
#include <openssl/ec.h>
#include <openssl/ecdsa.h>
#include <openssl/bn.h>
#include <openssl/hmac.h>
#endif

/* SPDX-License-Identifier: Apache-2.0 */
#ifndef MGMT_REFLECT_H
#define MGMT_REFLECT_H

#include <stddef.h>
#include <stdint.h>

/*
 * gRPC server reflection (grpc.reflection.v1 and v1alpha share their
 * wire format) answered from an embedded FileDescriptorSet.  No gRPC
 * type: the transport hands over request bytes and sends back the reply
 * bytes, so this is testable on its own.
 */

struct mgmt_reflect;

/**
 * Index a serialized FileDescriptorSet (copied) and the service names
 * list_services reports (copied).  set may be NULL (then only
 * list_services answers).
 *
 * @return 0; -EINVAL if the set does not decode; -ENOMEM.
 */
int mgmt_reflect_open(const uint8_t *set, size_t len,
		      const char *const *services, size_t n_services,
		      struct mgmt_reflect **out);

/* Accepts NULL. */
void mgmt_reflect_close(struct mgmt_reflect *r);

/**
 * Answer one serialized ServerReflectionRequest with a serialized
 * ServerReflectionResponse (*out, malloc'd, the caller frees).  Lookup
 * failures are answered inside the response (error_response NOT_FOUND).
 *
 * @return 0; -EINVAL if the request does not decode; -ENOMEM.
 */
int mgmt_reflect_answer(const struct mgmt_reflect *r, const uint8_t *req,
			size_t len, uint8_t **out, size_t *outlen);

#endif

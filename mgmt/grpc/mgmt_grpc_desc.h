/* SPDX-License-Identifier: Apache-2.0 */
#ifndef MGMT_GRPC_DESC_H
#define MGMT_GRPC_DESC_H

#include <stddef.h>
#include <stdint.h>

/* The API's FileDescriptorSet (protoc --include_imports), generated and
 * embedded at build time, served by gRPC server reflection. */
extern const uint8_t fh_descriptor_set[];
extern const size_t fh_descriptor_set_len;

#endif

/* SPDX-License-Identifier: Apache-2.0 */
#ifndef MGMT_SERVICES_H
#define MGMT_SERVICES_H

#include <stddef.h>

#include "mgmt_rpc.h"

/*
 * The gRPC services of the switch (Config, Ports, Flows, CountersService,
 * System) over the configuration store (mgmt_store.h): one file per
 * service in mgmt/services/.  Each method's svc argument is the
 * struct mgmt_store.
 */

/* The method table (static), for mgmt_grpc_params.methods. */
const struct mgmt_method *mgmt_services_methods(size_t *n);

#endif

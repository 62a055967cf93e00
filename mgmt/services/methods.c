/* SPDX-License-Identifier: Apache-2.0 */
/* The gRPC services over the configuration store and the HAL: the method table. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "mgmt_store.h"
#include "mgmt_services.h"
#include "services.h"

/* ---- the method table ---------------------------------------------------------- */

#define UNARY(p, rq, role, mut, fn)                                       \
	{                                                                 \
		.path = p, .req = &rq, .min_role = role, .mutating = mut, \
		.unary = fn                                               \
	}

static const struct mgmt_method methods[] = {
	UNARY("/fhswitch.v1.Config/Get",
	      fhswitch__v1__get_config_request__descriptor, MGMT_ROLE_VIEWER,
	      false, mgmt_rpc_config_get),
	UNARY("/fhswitch.v1.Config/Validate",
	      fhswitch__v1__validate_request__descriptor, MGMT_ROLE_VIEWER,
	      false, mgmt_rpc_config_validate),
	UNARY("/fhswitch.v1.Config/Commit",
	      fhswitch__v1__commit_request__descriptor, MGMT_ROLE_OPERATOR,
	      true, mgmt_rpc_config_commit),
	UNARY("/fhswitch.v1.Config/Confirm",
	      fhswitch__v1__confirm_request__descriptor, MGMT_ROLE_OPERATOR,
	      true, mgmt_rpc_config_confirm),
	UNARY("/fhswitch.v1.Config/Rollback",
	      fhswitch__v1__rollback_request__descriptor, MGMT_ROLE_ADMIN, true,
	      mgmt_rpc_config_rollback),
	UNARY("/fhswitch.v1.Config/ListVersions",
	      fhswitch__v1__list_versions_request__descriptor, MGMT_ROLE_VIEWER,
	      false, mgmt_rpc_config_list_versions),
	UNARY("/fhswitch.v1.Ports/List",
	      fhswitch__v1__list_ports_request__descriptor, MGMT_ROLE_VIEWER,
	      false, mgmt_rpc_ports_list),
	UNARY("/fhswitch.v1.Ports/Get",
	      fhswitch__v1__get_port_request__descriptor, MGMT_ROLE_VIEWER,
	      false, mgmt_rpc_ports_get),
	UNARY("/fhswitch.v1.Flows/List",
	      fhswitch__v1__list_flows_request__descriptor, MGMT_ROLE_VIEWER,
	      false, mgmt_rpc_flows_list),
	UNARY("/fhswitch.v1.Flows/Get",
	      fhswitch__v1__get_flow_request__descriptor, MGMT_ROLE_VIEWER,
	      false, mgmt_rpc_flows_get),
	UNARY("/fhswitch.v1.Flows/Add",
	      fhswitch__v1__flow_change_request__descriptor, MGMT_ROLE_OPERATOR,
	      true, mgmt_rpc_flows_add),
	UNARY("/fhswitch.v1.Flows/Update",
	      fhswitch__v1__flow_change_request__descriptor, MGMT_ROLE_OPERATOR,
	      true, mgmt_rpc_flows_update),
	UNARY("/fhswitch.v1.Flows/Delete",
	      fhswitch__v1__delete_flow_request__descriptor, MGMT_ROLE_OPERATOR,
	      true, mgmt_rpc_flows_delete),
	UNARY("/fhswitch.v1.Flows/Status",
	      fhswitch__v1__flow_status_request__descriptor, MGMT_ROLE_VIEWER,
	      false, mgmt_rpc_flows_status),
	UNARY("/fhswitch.v1.CountersService/Get",
	      fhswitch__v1__get_counters_request__descriptor, MGMT_ROLE_VIEWER,
	      false, mgmt_rpc_counters_get),
	{.path = "/fhswitch.v1.CountersService/Watch",
	 .req = &fhswitch__v1__watch_counters_request__descriptor,
	 .min_role = MGMT_ROLE_VIEWER,
	 .stream = &mgmt_rpc_counters_watch_ops},
	UNARY("/fhswitch.v1.System/GetVersion",
	      fhswitch__v1__get_version_request__descriptor, MGMT_ROLE_VIEWER,
	      false, mgmt_rpc_system_version),
	UNARY("/fhswitch.v1.System/GetCapabilities",
	      fhswitch__v1__get_capabilities_request__descriptor,
	      MGMT_ROLE_VIEWER, false, mgmt_rpc_system_caps),
	UNARY("/fhswitch.v1.System/SaveConfig",
	      fhswitch__v1__save_config_request__descriptor, MGMT_ROLE_ADMIN,
	      true, mgmt_rpc_system_save),
};

const struct mgmt_method *mgmt_services_methods(size_t *n)
{
	*n = sizeof(methods) / sizeof(methods[0]);
	return methods;
}

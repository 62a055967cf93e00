/* SPDX-License-Identifier: Apache-2.0 */
#ifndef MGMT_SERVICES_PRIVATE_H
#define MGMT_SERVICES_PRIVATE_H

/* Private to mgmt/services/: the handlers of each service file, for the
 * method table (methods.c), and what the files share. */
#include "mgmt_rpc.h"
#include "mgmt_store.h"

/* A handler's svc argument. */
#define SVC(v) ((struct mgmt_store *)(v))

void mgmt_rpc_config_get(void *svc, const struct mgmt_call_info *ci,
			 const ProtobufCMessage *req, ProtobufCMessage **resp,
			 struct mgmt_error *st);
void mgmt_rpc_config_validate(void *svc, const struct mgmt_call_info *ci,
			      const ProtobufCMessage *req,
			      ProtobufCMessage **resp, struct mgmt_error *st);
void mgmt_rpc_config_commit(void *svc, const struct mgmt_call_info *ci,
			    const ProtobufCMessage *req,
			    ProtobufCMessage **resp, struct mgmt_error *st);
void mgmt_rpc_config_confirm(void *svc, const struct mgmt_call_info *ci,
			     const ProtobufCMessage *req,
			     ProtobufCMessage **resp, struct mgmt_error *st);
void mgmt_rpc_config_rollback(void *svc, const struct mgmt_call_info *ci,
			      const ProtobufCMessage *req,
			      ProtobufCMessage **resp, struct mgmt_error *st);
void mgmt_rpc_config_list_versions(void *svc, const struct mgmt_call_info *ci,
				   const ProtobufCMessage *req,
				   ProtobufCMessage **resp,
				   struct mgmt_error *st);
void mgmt_rpc_ports_list(void *svc, const struct mgmt_call_info *ci,
			 const ProtobufCMessage *req, ProtobufCMessage **resp,
			 struct mgmt_error *st);
void mgmt_rpc_ports_get(void *svc, const struct mgmt_call_info *ci,
			const ProtobufCMessage *req, ProtobufCMessage **resp,
			struct mgmt_error *st);
void mgmt_rpc_flows_list(void *svc, const struct mgmt_call_info *ci,
			 const ProtobufCMessage *req, ProtobufCMessage **resp,
			 struct mgmt_error *st);
void mgmt_rpc_flows_get(void *svc, const struct mgmt_call_info *ci,
			const ProtobufCMessage *req, ProtobufCMessage **resp,
			struct mgmt_error *st);
void mgmt_rpc_flows_status(void *svc, const struct mgmt_call_info *ci,
			   const ProtobufCMessage *req, ProtobufCMessage **resp,
			   struct mgmt_error *st);
void mgmt_rpc_flows_add(void *svc, const struct mgmt_call_info *ci,
			const ProtobufCMessage *req, ProtobufCMessage **resp,
			struct mgmt_error *st);
void mgmt_rpc_flows_update(void *svc, const struct mgmt_call_info *ci,
			   const ProtobufCMessage *req, ProtobufCMessage **resp,
			   struct mgmt_error *st);
void mgmt_rpc_flows_delete(void *svc, const struct mgmt_call_info *ci,
			   const ProtobufCMessage *req, ProtobufCMessage **resp,
			   struct mgmt_error *st);
void mgmt_rpc_counters_get(void *svc, const struct mgmt_call_info *ci,
			   const ProtobufCMessage *req, ProtobufCMessage **resp,
			   struct mgmt_error *st);
void mgmt_rpc_system_version(void *svc, const struct mgmt_call_info *ci,
			     const ProtobufCMessage *req,
			     ProtobufCMessage **resp, struct mgmt_error *st);
void mgmt_rpc_system_caps(void *svc, const struct mgmt_call_info *ci,
			  const ProtobufCMessage *req, ProtobufCMessage **resp,
			  struct mgmt_error *st);
void mgmt_rpc_system_save(void *svc, const struct mgmt_call_info *ci,
			  const ProtobufCMessage *req, ProtobufCMessage **resp,
			  struct mgmt_error *st);

/* shared helpers */
int mgmt_svc_port_index(const pb_config *c, const char *name);
int mgmt_svc_flow_index(const pb_config *c, const char *name);
int mgmt_svc_check_version(struct mgmt_store *s, uint64_t expected,
			   struct mgmt_error *st);
pb_config *mgmt_svc_patched(const pb_config *run,
			    const Fhswitch__V1__ConfigPatch *p,
			    struct mgmt_error *st);
void *mgmt_svc_version_resp(const ProtobufCMessageDescriptor *d, uint64_t v,
			    struct mgmt_error *st);
bool mgmt_svc_named(const char *name, char *const *names, size_t n);
int mgmt_svc_counter_names(uint32_t mask, char ***out, size_t *n);

extern const struct mgmt_stream_ops mgmt_rpc_counters_watch_ops;

#endif

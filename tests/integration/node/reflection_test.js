#!/usr/bin/env node
// SPDX-License-Identifier: Apache-2.0
//
// fhswd's server reflection through clients nobody here wrote:
// @grpc/grpc-js with the grpc-js-reflection-client package from npm.  No
// .proto file is read: every type comes from the server.
//
//   node reflection_test.js --addr 127.0.0.1:50051
//
// Lists the services (reflection v1 and v1alpha), describes
// fhswitch.v1.Config.Commit and its input type, lists the Flows methods,
// then calls Config.Get, System.GetVersion and Flows.Get through a client
// built from the reflected descriptors.  Prints "N passed, M failed" and
// exits non-zero on a failure.
'use strict';

const grpc = require('@grpc/grpc-js');
const { GrpcReflection } = require('grpc-js-reflection-client');

function arg(name, dflt) {
  const i = process.argv.indexOf(name);
  return i > 0 && i + 1 < process.argv.length ? process.argv[i + 1] : dflt;
}

const addr = arg('--addr', '127.0.0.1:50051');
const creds = grpc.credentials.createInsecure();
const deadline = () => ({ deadline: Date.now() + 10000 });
const results = [];

function check(cond, what) {
  if (!cond) {
    throw new Error(what);
  }
}

async function test(name, fn) {
  try {
    await fn();
    results.push([name, null]);
    console.log('ok   ' + name);
  } catch (e) {
    results.push([name, e]);
    console.log('FAIL ' + name + ': ' + (e && e.stack ? e.stack : e));
  }
}

const WANT_SERVICES = [
  'fhswitch.v1.Config', 'fhswitch.v1.Ports', 'fhswitch.v1.Flows',
  'fhswitch.v1.CountersService', 'fhswitch.v1.System',
  'grpc.health.v1.Health', 'grpc.reflection.v1.ServerReflection',
  'grpc.reflection.v1alpha.ServerReflection',
];

function unary(client, method, req) {
  return new Promise((resolve, reject) => {
    client[method](req, deadline(), (err, resp) => (err ? reject(err) : resolve(resp)));
  });
}

async function main() {
  for (const version of ['v1', 'v1alpha']) {
    await test('list_services_' + version, async () => {
      const r = new GrpcReflection(addr, creds, {}, version);
      const services = await r.listServices('*', deadline());
      console.log('     ' + version + ' services: ' + services.join(', '));
      for (const s of WANT_SERVICES) {
        check(services.includes(s), version + ': ' + s + ' missing');
      }
      check(services.length === WANT_SERVICES.length,
            version + ': unexpected services ' + JSON.stringify(services));
    });
  }

  const refl = new GrpcReflection(addr, creds, {}, 'v1');
  let descriptor = null;

  await test('describe_config_commit', async () => {
    descriptor = await refl.getDescriptorBySymbol('fhswitch.v1.Config.Commit', deadline());
    const root = descriptor.getProtobufJsRoot();
    root.resolveAll();
    const svc = root.lookupService('fhswitch.v1.Config');
    const m = svc.methods.Commit;
    check(m !== undefined, 'Config has no Commit method');
    check(!m.requestStream && !m.responseStream, 'Commit is not unary');
    const input = m.resolvedRequestType;
    check(input.fullName === '.fhswitch.v1.CommitRequest', 'input type ' + input.fullName);
    check(m.resolvedResponseType.fullName === '.fhswitch.v1.CommitResponse',
          'output type ' + m.resolvedResponseType.fullName);
    console.log('     rpc Commit(' + input.fullName.slice(1) + ') returns (' +
                m.resolvedResponseType.fullName.slice(1) + ')');
    for (const f of input.fieldsArray) {
      const t = f.resolvedType ? f.resolvedType.fullName.slice(1) : f.type;
      console.log('       ' + t + ' ' + f.name + ' = ' + f.id +
                  (f.partOf ? ' (oneof ' + f.partOf.name + ')' : ''));
    }
    // protobufjs names fields in lowerCamelCase: match by number
    const want = {
      1: ['config', '.fhswitch.v1.SwitchConfig', 'change'],
      2: ['patch', '.fhswitch.v1.ConfigPatch', 'change'],
      3: ['expectedVersion', 'uint64', null],
      4: ['confirmTimeoutS', 'uint32', null],
      5: ['comment', 'string', null],
    };
    check(input.fieldsArray.length === 5, input.fieldsArray.length + ' fields');
    for (const [id, [name, type, oneof]] of Object.entries(want)) {
      const f = input.fieldsById[id];
      check(f !== undefined, 'CommitRequest field ' + id + ' missing');
      check(f.name === name, id + ': name ' + f.name);
      const t = f.resolvedType ? f.resolvedType.fullName : f.type;
      check(t === type, name + ': type ' + t);
      check((f.partOf ? f.partOf.name : null) === oneof, name + ': oneof');
    }
    // the nested types came along (transitive file dependencies)
    const flow = root.lookupType('fhswitch.v1.Flow');
    check(flow.fields.match.resolvedType.fullName === '.fhswitch.v1.FlowMatch',
          'Flow.match type');
    const plane = root.lookupEnum('fhswitch.v1.Plane');
    check(plane.values.PLANE_U === 2, 'Plane.PLANE_U');
  });

  await test('list_methods_flows', async () => {
    const methods = await refl.listMethods('fhswitch.v1.Flows', deadline());
    const paths = methods.map((m) => m.definition.path).sort();
    check(JSON.stringify(paths) === JSON.stringify([
      '/fhswitch.v1.Flows/Add', '/fhswitch.v1.Flows/Delete', '/fhswitch.v1.Flows/Get',
      '/fhswitch.v1.Flows/List', '/fhswitch.v1.Flows/Status',
      '/fhswitch.v1.Flows/Update']), 'paths ' + paths);
  });

  await test('file_by_filename', async () => {
    const d = await refl.getDescriptorByFileName('fhswitch/v1/config.proto', deadline());
    const t = d.getProtobufJsRoot().lookupType('fhswitch.v1.SwitchConfig');
    check(t.fields.flows.repeated, 'SwitchConfig.flows not repeated');
  });

  await test('unknown_symbol_error', async () => {
    // answered inside the stream (error_response NOT_FOUND), not a
    // transport error
    let msg = null;
    try {
      await refl.getDescriptorBySymbol('fhswitch.v1.NoSuchThing', deadline());
    } catch (e) {
      msg = String(e.message);
    }
    check(msg !== null, 'an unknown symbol resolved');
    check(msg.includes('not found') && msg.includes('fhswitch.v1.NoSuchThing'),
          'error: ' + msg);
  });

  await test('calls_through_reflected_types', async () => {
    check(descriptor !== null, 'no descriptor');
    const pkg = descriptor.getPackageObject({ keepCase: true, longs: String, enums: String });
    const config = new pkg.fhswitch.v1.Config(addr, creds);
    const system = new pkg.fhswitch.v1.System(addr, creds);
    const flows = new pkg.fhswitch.v1.Flows(addr, creds);
    try {
      const g = await unary(config, 'Get', {});
      check(Number(g.version) >= 1, 'version ' + g.version);
      check(g.config && g.config.ports.length >= 1, 'config without ports');
      console.log('     Config.Get: version ' + g.version + ', "' + g.config.name + '", ' +
                  g.config.ports.length + ' ports, ' + g.config.flows.length + ' flows');
      const v = await unary(system, 'GetVersion', {});
      check(v.backend === 'dpdk', 'backend ' + v.backend);
      check(v.config_version === g.version, 'config_version ' + v.config_version);
      let code = null;
      try {
        await unary(flows, 'Get', { name: 'no-such-flow' });
      } catch (e) {
        code = e.code;
      }
      check(code === grpc.status.NOT_FOUND, 'Flows.Get(unknown): code ' + code);
    } finally {
      config.close();
      system.close();
      flows.close();
    }
  });

  const failed = results.filter((r) => r[1] !== null).length;
  console.log((results.length - failed) + ' passed, ' + failed + ' failed');
  process.exit(failed ? 1 : 0);
}

main().catch((e) => {
  console.log('FAIL ' + (e && e.stack ? e.stack : e));
  console.log('0 passed, 1 failed');
  process.exit(1);
});

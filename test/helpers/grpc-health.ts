/**
 * A real grpc-js server with the standard grpc.health.v1 Health/Check, for probe tests. The
 * messages are coded here by hand, independently of the probe's own encoder.
 */
import assert from 'node:assert/strict';
import {
  Server,
  ServerCredentials,
  status as GrpcStatus,
  type sendUnaryData,
  type ServerUnaryCall,
  type ServiceDefinition,
} from '@grpc/grpc-js';

/**
 * The request's `service` (field 1, a string). An object, because grpc-js servers take a
 * falsy request for none at all.
 */
function decodeService(buf: Buffer): { service: string } {
  if (buf.length === 0) return { service: '' };
  assert.equal(buf[0], 0x0a, 'field 1, length-delimited');
  return { service: buf.subarray(2, 2 + (buf[1] as number)).toString('utf8') };
}

const healthService: ServiceDefinition = {
  Check: {
    path: '/grpc.health.v1.Health/Check',
    requestStream: false,
    responseStream: false,
    requestSerialize: (value: { service: string }) => Buffer.from(value.service),
    requestDeserialize: decodeService,
    responseSerialize: (status: number) => Buffer.from([0x08, status]),
    responseDeserialize: (buf: Buffer) => buf[1] ?? 0,
  },
};

/**
 * Starts a server on 127.0.0.1 (a free port). `statuses` is the serving status by service
 * name (1 SERVING, 2 NOT_SERVING); a name missing from it answers NOT_FOUND. Without
 * `statuses` the server has no health service at all (UNIMPLEMENTED).
 */
export async function startGrpcHealth(
  statuses: Record<string, number> | undefined,
  credentials = ServerCredentials.createInsecure(),
): Promise<{ server: Server; port: number }> {
  const server = new Server();
  if (statuses !== undefined) {
    const check = (call: ServerUnaryCall<{ service: string }, number>, callback: sendUnaryData<number>): void => {
      const status = statuses[call.request.service];
      if (status === undefined)
        callback({ code: GrpcStatus.NOT_FOUND, details: `unknown service ${call.request.service}` });
      else callback(null, status);
    };
    server.addService(healthService, { Check: check });
  }
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', credentials, (err, bound) => (err ? reject(err) : resolve(bound))),
  );
  return { server, port };
}

// Following a container's log with client-node's `Log`. `Log` pipes the response into the stream
// it is given and leaves the response's own errors unhandled: an abort (our `stop`) or a dropped
// connection would be an uncaught exception that ends the process. The output therefore takes
// over the piped source's errors and simply ends, as it does when the container ends.
import { PassThrough, type Readable } from 'node:stream';
import { type KubeConfig, Log } from '@kubernetes/client-node';
import type { LogFollow } from './kube-access.ts';
import { rethrowing } from './kube-calls.ts';

export async function followPodLog(
  kubeConfig: KubeConfig,
  namespace: string,
  pod: string,
  container: string,
  tailLines: number,
): Promise<LogFollow> {
  const output = new PassThrough();
  output.on('pipe', (source: Readable) => {
    source.on('error', () => output.end());
  });
  const controller = await rethrowing(
    new Log(kubeConfig).log(namespace, pod, container, output, { follow: true, tailLines }),
  );
  return {
    output,
    stop() {
      controller.abort();
      output.end();
    },
  };
}

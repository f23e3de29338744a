// The real TokenReview call on @kubernetes/client-node, made with the controller's credentials.
import { AuthenticationV1Api, type KubeConfig } from '@kubernetes/client-node';
import type { ReviewToken, TokenReviewStatus } from './token-review.ts';

export function kubernetesTokenReviewer(kubeConfig: KubeConfig): ReviewToken {
  const api = kubeConfig.makeApiClient(AuthenticationV1Api);
  return async (token: string): Promise<TokenReviewStatus> => {
    const review = await api.createTokenReview({
      body: {
        apiVersion: 'authentication.k8s.io/v1',
        kind: 'TokenReview',
        metadata: { name: 'orka-token-review' },
        spec: { token },
      },
    });
    return review.status ?? {};
  };
}

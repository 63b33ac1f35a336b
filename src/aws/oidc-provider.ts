/**
 * A CI's IAM OIDC identity provider: an account singleton (account-singletons.ts). IAM keeps one provider per
 * issuer URL per account (a second create answers EntityAlreadyExists:
 * https://docs.aws.amazon.com/IAM/latest/APIReference/API_CreateOpenIDConnectProvider.html), and every role of
 * the account that trusts GitHub Actions (or one GitLab instance) names that one provider. So no environment's
 * stack may own it: `tapctl bootstrap --ci` creates it once, outside every stack, and nothing of tapctl deletes it.
 *
 * - find: ListOpenIDConnectProviders, the one whose ARN ends in `oidc-provider/<host>`, then
 *   GetOpenIDConnectProvider for its client IDs (audiences) and tags. One that does not list the pipeline's
 *   audience is `broken` for tapctl's roles (IAM refuses their tokens): bootstrap adds the audience to it
 *   (AddClientIDToOpenIDConnectProvider), which leaves every other audience as it was.
 * - create: CreateOpenIDConnectProvider with the audience and tapctl's tags, no thumbprint: IAM secures
 *   GitHub's and GitLab's issuers with its own library of trusted root CAs and finds the thumbprint itself when
 *   none is given (same page: ThumbprintList is optional).
 * - owner: tapctl (its tag), someone else, or a stack. A provider a stack declares cannot be moved (there is one
 *   per URL): it is used as it is, with a note that deleting that stack deletes it.
 */
import { OperationError } from '../cli/errors.js';
import type { AwsClients } from './clients.js';
import { ownerFromTags, singletonTags, type AccountSingleton, type SingletonState } from './account-singletons.js';
import { awsErrorName, explainAwsError } from './errors.js';
import { loadSdk } from './sdk.js';

export interface OidcProvider {
  readonly arn: string;
}

export interface OidcProviderSpec {
  /** The issuer's host: token.actions.githubusercontent.com, gitlab.com, gitlab.example.com. */
  readonly host: string;
  /** The audience (client ID) the pipeline's tokens carry. */
  readonly audience: string;
  /** For a person: "GitHub Actions", "GitLab" (the host follows it in every message). */
  readonly label: string;
}

/** The singleton's id (its tag value): one per issuer host. */
export function oidcProviderId(host: string): string {
  return `oidc-provider:${host}`;
}

export function oidcProvider(spec: OidcProviderSpec): AccountSingleton<OidcProvider> {
  const id = oidcProviderId(spec.host);
  const what = `the account's IAM OIDC identity provider for ${spec.label} (${spec.host})`;
  return {
    id,
    what,
    scope: 'account',
    docs: 'https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_providers_create_oidc.html',
    permissions: {
      find: ['iam:ListOpenIDConnectProviders', 'iam:GetOpenIDConnectProvider'],
      create: ['iam:CreateOpenIDConnectProvider', 'iam:TagOpenIDConnectProvider', 'iam:AddClientIDToOpenIDConnectProvider'],
    },
    alreadyExists: ['EntityAlreadyExistsException', 'EntityAlreadyExists'],
    removal: `aws iam delete-open-id-connect-provider --open-id-connect-provider-arn arn:aws:iam::<account>:oidc-provider/${spec.host} (only once no role of the account trusts it)`,

    async find(clients): Promise<SingletonState<OidcProvider>> {
      const arn = await providerArn(clients, spec.host);
      if (!arn) return { kind: 'missing', detail: `account has no IAM OIDC identity provider for ${spec.host}` };
      const found = await describeProvider(clients, arn);
      // Deleted between the list and the read: as good as never there.
      if (!found) return { kind: 'missing', detail: `account has no IAM OIDC identity provider for ${spec.host}` };
      const owner = ownerFromTags(found.tags, id);
      const by = owner.kind === 'tapctl' ? 'created by tapctl bootstrap' : owner.kind === 'stack' ? `a resource of stack ${owner.stackName}` : 'set up outside tapctl';
      if (!found.clientIds.includes(spec.audience)) {
        return { kind: 'broken', detail: `${arn} (${by}) does not list the audience ${spec.audience}: IAM refuses the pipeline's tokens until it does` };
      }
      // One provider per URL: a stack's cannot be moved to tapctl's own. It is used as it is, and said.
      if (owner.kind === 'stack') {
        return { kind: 'present', value: { arn }, owner: { kind: 'other' }, detail: `${arn} (${by})`, note: `deleting stack ${owner.stackName} deletes it, and every CI role of the account stops working` };
      }
      return { kind: 'present', value: { arn }, owner, detail: `${arn} (${by})` };
    },

    async create(clients, before): Promise<OidcProvider> {
      const iam = await loadSdk('@aws-sdk/client-iam');
      const client = await clients.iam();
      if (before.kind === 'broken') {
        // The provider is there without this pipeline's audience: add it, leave the others.
        const arn = await providerArn(clients, spec.host);
        if (arn) {
          await client.send(new iam.AddClientIDToOpenIDConnectProviderCommand({ OpenIDConnectProviderArn: arn, ClientID: spec.audience }));
          return { arn };
        }
      }
      const out = await client.send(new iam.CreateOpenIDConnectProviderCommand({ Url: `https://${spec.host}`, ClientIDList: [spec.audience], Tags: singletonTags(id) }));
      if (!out.OpenIDConnectProviderArn) throw new OperationError(`IAM created the OIDC provider for ${spec.host} but did not answer its ARN`, { code: 'aws' });
      return { arn: out.OpenIDConnectProviderArn };
    },
  };
}

/** The ARN of the account's provider for `host`, or undefined. */
async function providerArn(clients: AwsClients, host: string): Promise<string | undefined> {
  const { ListOpenIDConnectProvidersCommand } = await loadSdk('@aws-sdk/client-iam');
  let list;
  try {
    list = (await (await clients.iam()).send(new ListOpenIDConnectProvidersCommand({}))).OpenIDConnectProviderList ?? [];
  } catch (e) {
    throw explainAwsError(e, "listing the account's IAM OIDC identity providers");
  }
  return list.map((p) => p.Arn ?? '').find((arn) => arn.endsWith(`:oidc-provider/${host}`));
}

async function describeProvider(clients: AwsClients, arn: string): Promise<{ clientIds: string[]; tags: Array<{ Key?: string; Value?: string }> } | undefined> {
  const { GetOpenIDConnectProviderCommand } = await loadSdk('@aws-sdk/client-iam');
  try {
    const out = await (await clients.iam()).send(new GetOpenIDConnectProviderCommand({ OpenIDConnectProviderArn: arn }));
    return { clientIds: out.ClientIDList ?? [], tags: out.Tags ?? [] };
  } catch (e) {
    if (awsErrorName(e) === 'NoSuchEntityException' || awsErrorName(e) === 'NoSuchEntity') return undefined;
    throw explainAwsError(e, `reading IAM OIDC provider ${arn}`);
  }
}

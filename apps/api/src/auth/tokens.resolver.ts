import { Args, GraphQLISODateTime, Mutation, Query, Resolver } from '@nestjs/graphql';
import { RequireScope, type Scope } from './scopes';
import { TokenAdminService } from './token-admin.service';
import type { StoredToken } from './token.repository';
import { ApiToken, CreatedToken, TokenScope } from './token.types';

@Resolver(() => ApiToken)
@RequireScope('admin')
export class TokensResolver {
  constructor(private readonly admin: TokenAdminService) {}

  @Query(() => [ApiToken], { description: 'every API token, revoked ones too, oldest first (admin)' })
  async tokens(): Promise<ApiToken[]> {
    return (await this.admin.list()).map(toApiToken);
  }

  @Mutation(() => CreatedToken, { description: 'creates a token; its secret is in the answer and nowhere else (admin)' })
  async createToken(
    @Args('name') name: string,
    @Args('scopes', { type: () => [TokenScope] }) scopes: Scope[],
    @Args('expiresAt', { type: () => GraphQLISODateTime, nullable: true }) expiresAt: Date | null,
  ): Promise<CreatedToken> {
    const { token, secret } = await this.admin.create(name, scopes, expiresAt ?? null);
    return { token: toApiToken(token), secret };
  }

  @Mutation(() => ApiToken, { description: 'revokes the active token called `name`: refused at once on this replica, within the token cache TTL on the others (admin)' })
  async revokeToken(@Args('name') name: string): Promise<ApiToken> {
    return toApiToken(await this.admin.revoke(name));
  }

  @Mutation(() => CreatedToken, { description: 'a new secret for the token called `name`, same scopes and expiry; the old secret is revoked (admin)' })
  async rotateToken(@Args('name') name: string): Promise<CreatedToken> {
    const { token, secret } = await this.admin.rotate(name);
    return { token: toApiToken(token), secret };
  }
}

/** Maps a row to what GraphQL shows: the fields are listed so that nothing else can leak. */
function toApiToken(token: StoredToken): ApiToken {
  return { name: token.name, scopes: token.scopes, createdAt: token.createdAt, expiresAt: token.expiresAt, lastUsedAt: token.lastUsedAt, revokedAt: token.revokedAt };
}

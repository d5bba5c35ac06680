import { Args, Parent, ResolveField, Resolver } from '@nestjs/graphql';
import { NodeStateService } from './node-state.service';
import { Address, Link, Neighbor, Pod, Route, Sysctl } from './types/fact-entries.type';
import { FactKindValue } from './types/fact-change.type';
import { NodeState } from './types/node-state.type';
import { StateFact } from './types/state-fact.type';

const NAMESPACE_ARG = { type: () => String, nullable: true, description: 'only this namespace: `host` or `pod:<netns name>`' } as const;

/** NodeState's lists, cut from the facts the state already holds (no further queries). */
@Resolver(() => NodeState)
export class NodeStateResolver {
  constructor(private readonly states: NodeStateService) {}

  @ResolveField(() => [String], { description: 'namespace keys present: `host`, then `pod:<netns name>` in order' })
  namespaces(@Parent() state: NodeState): string[] {
    return this.states.namespaces(state);
  }

  @ResolveField(() => [Link])
  links(@Parent() state: NodeState, @Args('namespace', NAMESPACE_ARG) namespace: string | null): Link[] {
    return this.states.links(state, namespace);
  }

  @ResolveField(() => [Address])
  addresses(@Parent() state: NodeState, @Args('namespace', NAMESPACE_ARG) namespace: string | null): Address[] {
    return this.states.addresses(state, namespace);
  }

  @ResolveField(() => [Route])
  routes(@Parent() state: NodeState, @Args('namespace', NAMESPACE_ARG) namespace: string | null): Route[] {
    return this.states.routes(state, namespace);
  }

  @ResolveField(() => [Neighbor])
  neighbors(@Parent() state: NodeState, @Args('namespace', NAMESPACE_ARG) namespace: string | null): Neighbor[] {
    return this.states.neighbors(state, namespace);
  }

  @ResolveField(() => [Sysctl])
  sysctls(@Parent() state: NodeState, @Args('namespace', NAMESPACE_ARG) namespace: string | null): Sysctl[] {
    return this.states.sysctls(state, namespace);
  }

  @ResolveField(() => [StateFact], { description: 'every fact as stored, for tooling and exact comparisons; optionally one kind and one namespace' })
  facts(
    @Parent() state: NodeState,
    @Args('kind', { type: () => FactKindValue, nullable: true }) kind: FactKindValue | null,
    @Args('namespace', NAMESPACE_ARG) namespace: string | null,
  ): StateFact[] {
    return state.facts
      .filter((f) => (!kind || f.kind === kind) && (!namespace || f.ns === namespace))
      .map((f) => ({ namespace: f.ns, kind: f.kind as FactKindValue, key: f.key, attrs: f.attrs }));
  }

  @ResolveField(() => [Pod], { description: 'pod namespaces with their host veth and facts' })
  pods(@Parent() state: NodeState, @Args('namespace', NAMESPACE_ARG) namespace: string | null): Pod[] {
    return this.states.pods(state, namespace);
  }
}

/**
 * The parts of the core's `LeadView` the lead components read. Kept as a structural
 * subset so the generated type is assignable to it and the components stay testable
 * with small fixtures.
 */
export type LeadStateName = "incomplete" | "protected" | "pool" | "deal" | "merged";

export interface LeadFieldsLike {
  company?: string;
  contact?: string;
  phone?: string;
  email?: string;
  region?: string;
  industry?: string;
  need?: string;
  notes?: string;
  /** 客户等级 A/B/C. */
  grade?: string;
}

export interface LeadLike {
  id: string;
  state: LeadStateName;
  owner?: string | null;
  owner_name: string | null;
  /** The lead's branch when it is not the viewer's (company-wide registry). */
  owner_branch?: string;
  previous_owner_name?: string | null;
  pool_since?: string | null;
  protected_until: string | null;
  masked: boolean;
  editable: boolean;
  claimable: boolean;
  fields: LeadFieldsLike;
}

import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

/**
 * Search attributes Baton sets on its workflows so admins can filter in the Temporal
 * Web UI. They carry stages, owner ids and times only: never personal data.
 */
export const BatonStage = defineSearchAttributeKey('BatonStage', SearchAttributeType.KEYWORD);
export const BatonOwner = defineSearchAttributeKey('BatonOwner', SearchAttributeType.KEYWORD);
export const BatonSlaDueAt = defineSearchAttributeKey('BatonSlaDueAt', SearchAttributeType.DATETIME);
export const BatonOutcome = defineSearchAttributeKey('BatonOutcome', SearchAttributeType.KEYWORD);
export const BatonMapping = defineSearchAttributeKey('BatonMapping', SearchAttributeType.KEYWORD);

export const BATON_SEARCH_ATTRIBUTES = [BatonStage, BatonOwner, BatonSlaDueAt, BatonOutcome, BatonMapping] as const;

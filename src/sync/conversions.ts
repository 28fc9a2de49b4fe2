import type { SideRecord } from '../crm/side';
import { leadValuesAsContact } from '../mapping/lifecycle';
import { syncBatch } from './batch';
import type { SyncRun } from './run-context';
import { addCounts, ZERO_COUNTS, type PageCounts } from './types';
import { CONVERTED_LEAD_ERROR, Rejections } from './writes';

/** A HubSpot contact's link on its way from a converted Lead to the Contact it became. */
interface Move {
  hubspotId: string;
  leadId: string;
  contactId: string;
  source: SideRecord;
}

/**
 * HubSpot → Salesforce for a mapping that follows conversions (`lead_conversion: follow`).
 * Contacts already linked to a Contact are written there; the others go to their Lead, and
 * those whose Lead turns out converted (seen when it is read, or when Salesforce refuses
 * the write) move to the Contact and are written there in the same call. A new Lead is
 * never created for them.
 */
export async function followToSalesforce(run: SyncRun, records: SideRecord[]): Promise<PageCounts> {
  const { store, sides, mapping } = run;
  const links = await store.links.findByHubSpotIds(
    mapping.name,
    records.map((r) => r.id),
  );
  const onContact = new Set(links.filter((l) => l.salesforceObject === 'Contact').map((l) => l.hubspotId));
  const counts: PageCounts = { ...ZERO_COUNTS };
  const leads = await syncBatch(
    run,
    'to_salesforce',
    records.filter((r) => !onContact.has(r.id)),
  );
  addCounts(counts, leads.counts);

  const unknown = leads.diverted.filter((d) => d.contactId === undefined).map((d) => d.leadId);
  const contactOf = unknown.length > 0 ? await sides.salesforce.convertedContacts(unknown) : new Map<string, string>();
  const rejections = new Rejections(run, 'to_salesforce');
  const movable: Move[] = [];
  for (const d of leads.diverted) {
    const contactId = d.contactId ?? contactOf.get(d.leadId);
    if (contactId === undefined) {
      rejections.add(
        d.source.id,
        CONVERTED_LEAD_ERROR,
        `Salesforce refused a write to Lead ${d.leadId} as converted, but the Lead names no Contact it became; Baton tries again later`,
      );
    } else movable.push({ hubspotId: d.source.id, leadId: d.leadId, contactId, source: d.source });
  }
  const moved = await moveToContacts(run, movable, rejections);
  await rejections.settle(counts);

  const toContacts = [...records.filter((r) => onContact.has(r.id)), ...moved.map((m) => m.source)];
  if (toContacts.length === 0) return counts;
  const contactMapping = await sides.salesforce.contactMapping(mapping);
  const assumed = run.dryRun ? new Map(moved.map((m) => [m.hubspotId, m.contactId])) : undefined;
  const contacts = await syncBatch(run.forMapping(contactMapping), 'to_salesforce', toContacts, assumed);
  addCounts(counts, contacts.counts);
  counts.read = records.length;
  return counts;
}

/**
 * Salesforce → HubSpot for a mapping that follows conversions. The page holds changed
 * Leads and changed Contacts. A converted Lead hands its link to its Contact, and the
 * Contact is synced in its place; a Contact is synced only when it is linked (it became
 * one of the mapping's records by a conversion), the org's other Contacts are not ours.
 */
export async function followToHubSpot(run: SyncRun, records: SideRecord[]): Promise<PageCounts> {
  const { store, sides, mapping } = run;
  const counts: PageCounts = { ...ZERO_COUNTS };
  const leads = records.filter((r) => r.object === undefined);
  const converted = leads.filter((r) => r.convertedTo !== undefined);
  addCounts(
    counts,
    (
      await syncBatch(
        run,
        'to_hubspot',
        leads.filter((r) => r.convertedTo === undefined),
      )
    ).counts,
  );

  const leadLinks = new Map(
    (
      await store.links.findBySalesforceIds(
        mapping.name,
        converted.map((r) => r.id),
      )
    ).map((l) => [l.salesforceId, l]),
  );
  const orphans = await store.links.findOrphans(
    mapping.name,
    'salesforce',
    converted.filter((r) => !leadLinks.has(r.id)).map((r) => r.id),
  );
  const rejections = new Rejections(run, 'to_hubspot');
  const moves: Move[] = [];
  const unlinkedContacts: string[] = [];
  for (const lead of converted) {
    const contactId = lead.convertedTo as string;
    const link = leadLinks.get(lead.id);
    if (link) moves.push({ hubspotId: link.hubspotId, leadId: lead.id, contactId, source: lead });
    else if (orphans.has(lead.id)) {
      counts.unchanged += 1;
      run.report({
        direction: 'to_hubspot',
        sourceId: lead.id,
        action: 'skip',
        fields: {},
        writtenBack: {},
        reason: `Lead ${lead.id} was converted into Contact ${contactId}, but its HubSpot contact was deleted before (on_delete: clear_link), so none is created`,
      });
    } else unlinkedContacts.push(contactId);
  }
  const moved = await moveToContacts(run, moves, rejections);
  await rejections.settle(counts);

  // Changed Contacts count only when linked; the ones whose Lead converted in this page are read afresh below.
  const stream = records.filter((r) => r.object === 'Contact');
  const linkedStream = new Set(
    (
      await store.links.findBySalesforceIds(
        mapping.name,
        stream.map((r) => r.id),
      )
    ).map((l) => l.salesforceId),
  );
  const contactMapping =
    converted.length > 0 || linkedStream.size > 0 ? await sides.salesforce.contactMapping(mapping) : undefined;
  const wanted = [...new Set([...moved.map((m) => m.contactId), ...unlinkedContacts])];
  const fetched =
    wanted.length > 0 && contactMapping
      ? await sides.salesforce.fetch(contactMapping, wanted)
      : new Map<string, SideRecord>();
  const contacts = [...fetched.values(), ...stream.filter((r) => linkedStream.has(r.id) && !fetched.has(r.id))];
  if (contacts.length > 0 && contactMapping) {
    const assumed = run.dryRun ? new Map(moved.map((m) => [m.contactId, m.hubspotId])) : undefined;
    addCounts(counts, (await syncBatch(run.forMapping(contactMapping), 'to_hubspot', contacts, assumed)).counts);
  }
  counts.read = leads.length + contacts.length - fetched.size;
  return counts;
}

/**
 * Moves links from converted Leads to their Contacts. The snapshot stays (it is keyed by
 * the HubSpot id) with its Lead field names renamed as conversion renames them, so the
 * Contact's values, copied from the Lead, are not taken for changes. A Contact already
 * linked to another HubSpot contact (two Leads converted into one Contact) is refused:
 * two contacts writing one Contact would overwrite each other every cycle. Refusals go to
 * `rejections`, in its direction. Returns the moves made (in a dry run, that would be).
 */
async function moveToContacts(run: SyncRun, moves: Move[], rejections: Rejections): Promise<Move[]> {
  if (moves.length === 0) return [];
  const { store, mapping } = run;
  const direction = rejections.direction;
  const taken = new Map(
    (
      await store.links.findBySalesforceIds(
        mapping.name,
        moves.map((m) => m.contactId),
      )
    ).map((l) => [l.salesforceId, l.hubspotId]),
  );
  const ok: Move[] = [];
  for (const m of moves) {
    const other = taken.get(m.contactId);
    if (other !== undefined && other !== m.hubspotId) {
      rejections.add(
        m.source.id,
        'CONTACT_ALREADY_LINKED',
        `Lead ${m.leadId} was converted into Contact ${m.contactId}, which is already linked to HubSpot contact ${other}; merge HubSpot contacts ${other} and ${m.hubspotId}, then Baton links the one that remains`,
      );
    } else {
      ok.push(m);
      taken.set(m.contactId, m.hubspotId);
    }
  }
  for (const m of ok) {
    run.report({
      direction,
      sourceId: m.source.id,
      targetId: m.contactId,
      action: 'follow',
      fields: {},
      writtenBack: {},
      reason: `Lead ${m.leadId} was converted into Contact ${m.contactId}; HubSpot contact ${m.hubspotId} now syncs with the Contact`,
    });
  }
  if (run.dryRun || ok.length === 0) return ok;
  await store.links.upsert(
    ok.map((m) => ({
      mapping: mapping.name,
      hubspotId: m.hubspotId,
      salesforceObject: 'Contact',
      salesforceId: m.contactId,
    })),
  );
  const snapshots = await store.links.getSnapshots(
    mapping.name,
    ok.map((m) => m.hubspotId),
  );
  await store.links.putSnapshots(
    [...snapshots.values()].map((s) => ({
      mapping: s.mapping,
      hubspotId: s.hubspotId,
      hubspot: s.hubspot,
      salesforce: leadValuesAsContact(s.salesforce),
    })),
  );
  // The Lead's own errors are over: it will not change again, its Contact carries on.
  await store.syncErrors.resolve(
    mapping.name,
    'to_hubspot',
    ok.map((m) => m.leadId),
  );
  return ok;
}

/**
 * A minimal `$metadata` (EDMX, OData v2) generated from the schema: entity types with keys and
 * typed properties, navigation properties and the entity container. Enough for a client that
 * fetches it (or fetches a CSRF token from it); SAP's own documents carry many more annotations.
 */
import { allSets, type PropType } from '../schema.ts';

const EDM: Record<PropType, string> = { string: 'Edm.String', decimal: 'Edm.Decimal', date: 'Edm.DateTime', datetimeoffset: 'Edm.DateTimeOffset', boolean: 'Edm.Boolean' };

/** The EDMX of a service. */
export function metadataXml(service: string): string {
  const namespace = service.replace(/;.*/, '');
  const sets = allSets().filter((s) => s.service === service);
  const types = sets.map((s) => {
    const keys = s.keys.map((k) => `<PropertyRef Name="${k}"/>`).join('');
    const props = Object.entries(s.props).map(([n, t]) => `<Property Name="${n}" Type="${EDM[t]}"${s.keys.includes(n) ? ' Nullable="false"' : ''}${t === 'decimal' ? ' Precision="16" Scale="3"' : ''}/>`).join('');
    const navs = Object.entries(s.navs).map(([n, nav]) => `<NavigationProperty Name="${n}" Relationship="${namespace}.assoc_${s.name}_${n}" FromRole="FromRole_${s.name}" ToRole="ToRole_${nav.target}"/>`).join('');
    return `<EntityType Name="${s.name}Type"><Key>${keys}</Key>${props}${navs}</EntityType>`;
  });
  const container = sets.map((s) => `<EntitySet Name="${s.name}" EntityType="${namespace}.${s.name}Type"/>`).join('');
  return `<?xml version="1.0" encoding="utf-8"?><edmx:Edmx Version="1.0" xmlns:edmx="http://schemas.microsoft.com/ado/2007/06/edmx" xmlns:m="http://schemas.microsoft.com/ado/2007/08/dataservices/metadata"><edmx:DataServices m:DataServiceVersion="2.0"><Schema Namespace="${namespace}" xmlns="http://schemas.microsoft.com/ado/2008/09/edm">${types.join('')}<EntityContainer Name="${namespace}_Entities" m:IsDefaultEntityContainer="true">${container}</EntityContainer></Schema></edmx:DataServices></edmx:Edmx>`;
}

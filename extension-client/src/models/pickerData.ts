// Gathers what "Select Model" shows from the sidecar: providers/list, models/list,
// models/catalog, router/get. vscode-free; unit-tested with the fake sidecar.
import { Requests, type CatalogEntry } from '../protocol';
import type { PickerInput } from './picker';
import type { SidecarConnection } from '../sidecar/connection';

export type PickerSidecar = Pick<SidecarConnection, 'request'>;

export async function loadPickerInput(sidecar: PickerSidecar, activeRef: string | undefined): Promise<PickerInput & { errors: string[] }> {
  const errors: string[] = [];
  // The catalog is optional (an older sidecar, or no network for the fit): the rest still shows.
  const catalog = sidecar.request(Requests.modelsCatalog, undefined).catch((e: Error) => {
    errors.push(`catalog: ${e.message}`);
    return [] as CatalogEntry[];
  });
  const [providers, models, router, cat] = await Promise.all([
    sidecar.request(Requests.providersList, {}),
    sidecar.request(Requests.modelsList, {}),
    sidecar.request(Requests.routerGet, undefined),
    catalog,
  ]);
  for (const e of models.errors ?? []) errors.push(`${e.providerId}: ${e.message}`);
  return {
    providers, models: models.models, localOnly: router.strategy === 'localOnly', activeRef, errors,
    // The catalog says which entries are already on disk; the picker lists those under Local.
    catalog: cat.filter((c) => !c.downloaded),
  };
}

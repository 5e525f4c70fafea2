import { useEffect, useState } from 'react';
import { fetchTenants, type Tenant } from './gateway';

export interface PickedTenant {
  id: string;
  name: string;
}

/**
 * The operator's tenant picker (admin key only): the gateway's tenant list, narrowed by a name or its start.
 * "All tenants" leaves IVR calls across tenants; the outbox and invoices need one tenant.
 */
export function TenantPicker({
  apiKey,
  picked,
  onPick,
}: {
  apiKey: string;
  picked: PickedTenant | null;
  onPick: (tenant: PickedTenant | null) => void;
}) {
  const [name, setName] = useState('');
  const [tenants, setTenants] = useState<Tenant[]>([]);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    let current = true;
    const timer = setTimeout(
      () =>
        fetchTenants(apiKey, name).then(
          (page) => current && (setTenants(page.data), setError(null)),
          (err: unknown) => current && setError(err instanceof Error ? err.message : String(err)),
        ),
      name ? 250 : 0,
    );
    return () => {
      current = false;
      clearTimeout(timer);
    };
  }, [apiKey, name]);

  // The picked tenant stays selectable when the name filter hides it.
  const options = picked && !tenants.some((t) => t.id === picked.id) ? [picked, ...tenants] : tenants;
  return (
    <span className="tenant-picker">
      <input
        type="search"
        data-testid="tenant-search"
        aria-label="Find a tenant by name"
        placeholder="Tenant name…"
        value={name}
        onChange={(e) => setName(e.target.value)}
      />
      <select
        data-testid="tenant-picker"
        aria-label="Tenant"
        value={picked?.id ?? ''}
        onChange={(e) => {
          const t = options.find((o) => o.id === e.target.value);
          onPick(t ? { id: t.id, name: t.name } : null);
        }}
      >
        <option value="">All tenants</option>
        {options.map((t) => (
          <option key={t.id} value={t.id}>
            {t.name}
          </option>
        ))}
      </select>
      {error && <span className="error">{error}</span>}
    </span>
  );
}

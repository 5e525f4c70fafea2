import { useState } from 'react';

export function KeyPrompt({ onSubmit, error }: { onSubmit: (key: string) => void; error: string | null }) {
  const [value, setValue] = useState('');
  return (
    <main className="page narrow">
      <h1>Recoup console</h1>
      <form
        className="key-form"
        onSubmit={(e) => {
          e.preventDefault();
          if (value.trim()) onSubmit(value.trim());
        }}
      >
        <label htmlFor="api-key">API key</label>
        <p className="hint">
          A tenant API key (rcp_live_…) for that tenant, or the operator's admin key to pick a tenant (read-only). It stays in this browser
          tab.
        </p>
        <input
          id="api-key"
          data-testid="api-key-input"
          type="password"
          autoComplete="off"
          value={value}
          onChange={(e) => setValue(e.target.value)}
        />
        <button type="submit" data-testid="api-key-submit">
          Sign in
        </button>
        {error && <p className="error">{error}</p>}
      </form>
    </main>
  );
}

import { describe, expect, it } from 'vitest';
import { confirmPage, readableUtc, resultPage } from './decide-page.js';

const preview = { summary: 'rm -rf <build> && echo "done"', choice: 'Approve', channel: 'acme/agents', threadId: 't1', expiresAt: '2026-12-06T04:24:05.171Z' };

describe('the emailed link’s pages', () => {
  it('the confirmation: the prompt escaped, a form posting back to its own address, the deadline readable', () => {
    const html = confirmPage('CODE_abc-123', preview);
    expect(html).toContain('<pre>rm -rf &#60;build&#62; &#38;&#38; echo &#34;done&#34;</pre>');
    expect(html).toContain('<form method="post" action="CODE_abc-123"><button type="submit">Approve</button></form>');
    expect(html).toContain('until <time datetime="2026-12-06T04:24:05.171Z">2026-12-06 04:24 UTC</time>');
    expect(html).not.toContain('<script');
    expect(confirmPage('C', { ...preview, choice: 'Deny' })).toContain('<button type="submit" class="deny">Deny</button>');
  });

  it('the result: the choice as worded, or the refusal with its code', () => {
    expect(resultPage({ ok: true, choice: 'Approve' })).toContain('Your answer (Approve) was sent to the session.');
    const refused = resultPage({ ok: false, code: 'decision_code_used', message: 'This decision link was already used; each works once.' });
    expect(refused).toContain('<h1>Not decided</h1><p>This decision link was already used; each works once.</p>');
    expect(refused).toContain('Code: decision_code_used.');
  });

  it('readableUtc keeps what it cannot read', () => {
    expect(readableUtc('2026-01-02T03:04:59Z')).toBe('2026-01-02 03:04 UTC');
    expect(readableUtc('soon')).toBe('soon');
  });
});

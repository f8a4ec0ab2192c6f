// Copy to the clipboard: the async Clipboard API where the page is a secure context, else the old
// selection-and-execCommand path (a hub reached over plain http on a LAN address).

import { useEffect, useState } from 'react';

export async function copyText(text: string): Promise<void> {
  if (navigator.clipboard && window.isSecureContext) {
    await navigator.clipboard.writeText(text);
    return;
  }
  const area = document.createElement('textarea');
  area.value = text;
  area.setAttribute('readonly', '');
  area.style.position = 'fixed';
  area.style.opacity = '0';
  document.body.appendChild(area);
  area.select();
  document.execCommand('copy');
  area.remove();
}

export function CopyButton({ text, label = 'Copy' }: { text: string; label?: string }) {
  const [copied, setCopied] = useState(false);
  useEffect(() => {
    if (!copied) return;
    const t = window.setTimeout(() => setCopied(false), 1500);
    return () => window.clearTimeout(t);
  }, [copied]);
  return (
    <button type="button" className="copy" onClick={() => void copyText(text).then(() => setCopied(true))}>
      {copied ? 'Copied' : label}
    </button>
  );
}

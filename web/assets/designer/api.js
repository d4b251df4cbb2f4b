// JSON calls to the designer's endpoints, with the page's CSRF token; errors carry the server's message.
const csrf = () => document.querySelector('meta[name="csrf-token"]').content;

export async function call(url, body) {
  const response = await fetch(url, {
    method: body === undefined ? 'GET' : 'POST',
    headers: { 'Content-Type': 'application/json', 'X-CSRFToken': csrf(), Accept: 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
    credentials: 'same-origin'
  });
  const data = await response.json().catch(() => ({}));
  if (!response.ok) {
    const error = new Error(data.message || response.statusText);
    error.status = response.status;
    error.data = data;
    throw error;
  }
  return data;
}

// A multipart upload (the import of files), answered like call().
export async function upload(url, form) {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'X-CSRFToken': csrf(), Accept: 'application/json' },
    body: form,
    credentials: 'same-origin'
  });
  const data = await response.json().catch(() => ({}));
  if (!response.ok) {
    const error = new Error(data.message || response.statusText);
    error.status = response.status;
    error.data = data;
    throw error;
  }
  return data;
}

export async function text(url) {
  const response = await fetch(url, { credentials: 'same-origin' });
  if (!response.ok) throw new Error(response.statusText);
  return response.text();
}

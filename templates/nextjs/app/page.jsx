export default function Home() {
  return (
    <main>
      <h1>Hello from Next.js</h1>
      <p>Edit app/page.jsx and the page updates.</p>
    </main>
  );
}

export const metadata = { title: "Next.js app" };

export default function RootLayout({ children }) {
  return (
    <html lang="en">
      <body style={{ fontFamily: "system-ui, sans-serif", margin: 0, display: "grid", placeItems: "center", minHeight: "100vh" }}>
        {children}
      </body>
    </html>
  );
}

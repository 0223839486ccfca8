// Draws the app icon (Seshat's seven-pointed emblem on lapis) as SVG and renders the
// PNG sizes electron-builder wants: node scripts/make-icon.mjs
import sharp from 'sharp';
import { mkdirSync, writeFileSync } from 'node:fs';

const size = 1024;
const cx = size / 2;
const cy = size * 0.43;
const points = [];
for (let i = 0; i < 14; i++) {
  const radius = i % 2 === 0 ? 250 : 105;
  const angle = -Math.PI / 2 + (i * Math.PI) / 7;
  points.push(`${(cx + radius * Math.cos(angle)).toFixed(1)},${(cy + radius * Math.sin(angle)).toFixed(1)}`);
}
const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${size}" height="${size}" viewBox="0 0 ${size} ${size}">
  <defs><linearGradient id="g" x1="0" y1="0" x2="0" y2="1"><stop offset="0" stop-color="#2a5db8"/><stop offset="1" stop-color="#173d80"/></linearGradient></defs>
  <rect x="40" y="40" width="944" height="944" rx="200" fill="url(#g)"/>
  <polygon points="${points.join(' ')}" fill="#e3a943"/>
  <circle cx="${cx}" cy="${cy}" r="62" fill="#173d80"/>
  <rect x="${cx - 14}" y="${cy + 250}" width="28" height="250" rx="14" fill="#e3a943"/>
  <path d="M ${cx - 150} ${cy - 300} Q ${cx} ${cy - 420} ${cx + 150} ${cy - 300}" stroke="#e3a943" stroke-width="28" fill="none" stroke-linecap="round"/>
</svg>`;
mkdirSync('resources/icons', { recursive: true });
writeFileSync('resources/icons/icon.svg', svg);
for (const px of [512, 256, 128, 64, 32, 16]) {
  await sharp(Buffer.from(svg)).resize(px, px).png().toFile(`resources/icons/${px}x${px}.png`);
}
await sharp(Buffer.from(svg)).resize(1024, 1024).png().toFile('resources/icons/icon.png');
console.log('icons written to resources/icons');

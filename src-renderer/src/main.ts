import { mount } from 'svelte';
import App from './App.svelte';
import { createElectronTransport } from './api/electron-transport';
import { createWebTransport, takeToken } from './api/web-transport';
import { AppRoot } from './state/app-root.svelte';
import '@fontsource/noto-sans-egyptian-hieroglyphs/egyptian-hieroglyphs-400.css';
import './styles/global.css';

const transport = window.seshat ? createElectronTransport(window.seshat) : createWebTransport(takeToken());
const root = new AppRoot(transport);
void root.start();

mount(App, { target: document.getElementById('app')!, props: { root } });

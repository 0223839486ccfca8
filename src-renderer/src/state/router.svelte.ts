/**
 * Which view is showing, mirrored in the URL hash so reloads and the back button work.
 */
export const VIEWS = [
  { id: 'library', label: 'Library', key: '1' },
  { id: 'walls', label: 'Walls', key: '2' },
  { id: 'splits', label: 'Splits', key: '3' },
  { id: 'train', label: 'Train', key: '4' },
  { id: 'evaluate', label: 'Evaluate', key: '5' },
  { id: 'predict', label: 'Predict', key: '6' },
  { id: 'settings', label: 'Project', key: '7' },
] as const;

export type ViewId = (typeof VIEWS)[number]['id'];

function fromHash(hash: string): ViewId {
  const id = hash.replace(/^#\/?/, '');
  return VIEWS.find((view) => view.id === id)?.id ?? 'library';
}

export class Router {
  view = $state<ViewId>(fromHash(window.location.hash));

  constructor() {
    window.addEventListener('hashchange', () => {
      this.view = fromHash(window.location.hash);
    });
  }

  go(view: ViewId): void {
    if (this.view === view) return;
    this.view = view;
    window.location.hash = `/${view}`;
  }
}

import { useLayoutEffect, type RefObject } from 'react';

/**
 * Shows a <dialog> as a modal while the component is mounted. It is closed in a layout effect's
 * cleanup, which runs before React removes the element: the browser then gives focus back to what
 * had it before (the message list, a button). Closed after removal (a plain effect's cleanup), the
 * focus fell to the page's body, and the list's keys (Ctrl+A, Shift+F10) stopped reaching it.
 */
export function useModal(ref: RefObject<HTMLDialogElement | null>): void {
  useLayoutEffect(() => {
    const dialog = ref.current;
    if (dialog && !dialog.open) dialog.showModal();
    return () => {
      if (dialog?.open) dialog.close();
    };
  }, [ref]);
}

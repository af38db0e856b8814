import type { Op } from '../../../../shared/domain/ops.js';
import type { MessageKey } from '../../i18n/strings.js';
import type { Translate } from '../../i18n/translate.js';

const flagKeys: Record<string, MessageKey> = {
  '\\Seen': 'ops.flag.seen',
  '\\Flagged': 'ops.flag.flagged',
  '\\Answered': 'ops.flag.answered',
  '\\Draft': 'ops.flag.draft',
  '\\Deleted': 'ops.flag.deleted',
};

/**
 * A queued or failed change in the UI's language, from its parts (Op.detail); the engine's English
 * summary when an older engine sent none. `folder` names a folder by id (its shown name), else null.
 */
export function opText(op: Op, t: Translate, folder: (id: number) => string | null): string {
  const d = op.detail;
  if (!d) return op.summary;
  const n = d.count;
  const flags = (list: string[]) => list.map((f) => (flagKeys[f] ? t(flagKeys[f]) : f)).join(', ');
  const target = (d.folderId !== null ? folder(d.folderId) : null) ?? d.folderPath ?? '';
  switch (op.kind) {
    case 'flags':
      if (d.add.length && !d.remove.length) return t('ops.kind.flagsAdd', { n, flags: flags(d.add) });
      if (d.remove.length && !d.add.length) return t('ops.kind.flagsRemove', { n, flags: flags(d.remove) });
      return t('ops.kind.flagsChange', { n, flags: `+${flags(d.add)} −${flags(d.remove)}` });
    case 'move':
      return t('ops.kind.move', { n, folder: target });
    case 'copy':
      return t('ops.kind.copy', { n, folder: target });
    case 'expunge':
      return t('ops.kind.expunge', { n });
    case 'append':
      return t('ops.kind.append');
    case 'folder-create':
      return t('ops.kind.folderCreate', { name: d.to ?? '' });
    case 'folder-rename':
      return t('ops.kind.folderRename', { from: d.from ?? '', to: d.to ?? '' });
    case 'folder-delete':
      return t('ops.kind.folderDelete', { name: d.from ?? '' });
    case 'folder-subscribe':
      return t(d.subscribed ? 'ops.kind.subscribe' : 'ops.kind.unsubscribe', { folder: target });
  }
}

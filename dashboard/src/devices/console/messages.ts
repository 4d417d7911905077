/**
 * The technician console's words (Vietnamese first, English available), kept beside the console
 * and spread into the dashboard's one dictionary (`i18n.ts`), so `t()` knows them like any other.
 */
export const CONSOLE_MESSAGES = {
  confirmCommand: { vi: 'Xác nhận', en: 'Confirm' },
  confirmCommandNote: {
    vi: 'Lệnh này làm gián đoạn quầy: người dân đang đánh giá có thể phải chờ. Bấm để xác nhận.',
    en: 'This command interrupts the counter: a citizen rating now may have to wait. Press to confirm.',
  },
  confirmNeeded: {
    vi: 'Lệnh này cần xác nhận: mở nút lệnh và bấm “Xác nhận”.',
    en: 'This command needs confirming: open its button and press “Confirm”.',
  },
  badgeHidden: { vi: '(ẩn)', en: '(hidden)' },
  badgeHiddenNote: {
    vi: 'Mã thẻ của cán bộ chỉ lãnh đạo đơn vị xem được.',
    en: "Officers' badge IDs are shown to the unit's leader only.",
  },
} as const;

import type { Lang } from '../../i18n.js';

/**
 * The device lifecycle's words (replace, restore, rotate, revoke), Vietnamese first. Kept beside
 * the feature: the shared dictionary (i18n.ts) holds what several pages use.
 */
const TEXT = {
  lifecycle: { vi: 'Thay, khôi phục, đổi mật khẩu', en: 'Replace, restore, new password' },
  replace: { vi: 'Thay bo mạch', en: 'Replace the board' },
  restore: { vi: 'Khôi phục thiết bị', en: 'Restore the device' },
  rotate: { vi: 'Cấp mật khẩu mới', en: 'Issue a new password' },
  revoke: { vi: 'Thu hồi thiết bị', en: 'Revoke the device' },
  explain_replace: {
    vi: 'Quầy {counter} chuyển sang bo mạch mới, nhận ngay cấu hình của quầy. Bo mạch cũ chỉ còn được gửi nốt các sự kiện đang chờ; nó bị thu hồi khi hàng đợi trống hoặc sau số ngày dưới đây.',
    en: 'Counter {counter} moves to a new board, which gets the counter’s settings at once. The old board may only deliver its queued events; it is revoked once its outbox is empty or after the days below.',
  },
  explain_restore: {
    vi: 'Thiết bị đã thu hồi được dùng lại. Chỉ được khi quầy không có bo mạch nào khác đang hoạt động.',
    en: 'The revoked device may connect again. Only while its counter has no other live board.',
  },
  explain_rotate: {
    vi: 'Mật khẩu cũ mất hiệu lực ngay; thiết bị bị ngắt kết nối cho đến khi được nhập mật khẩu mới.',
    en: 'The old password stops working at once; the device is cut off until it is given the new one.',
  },
  explain_revoke: {
    vi: 'Máy chủ từ chối thiết bị từ nay; các cảnh báo của nó được đóng.',
    en: 'The centre refuses the device from now on; its alerts close.',
  },
  newDeviceId: { vi: 'Mã bo mạch mới', en: 'New board ID' },
  drainDays: { vi: 'Số ngày cho bo mạch cũ gửi nốt sự kiện', en: 'Days the old board may deliver its queue' },
  confirm: { vi: 'Xác nhận', en: 'Confirm' },
  cancel: { vi: 'Huỷ', en: 'Cancel' },
  done_replace: { vi: 'Đã thay bo mạch', en: 'Board replaced' },
  done_restore: { vi: 'Đã khôi phục thiết bị', en: 'Device restored' },
  done_rotate: { vi: 'Đã cấp mật khẩu mới', en: 'New password issued' },
  done_revoke: { vi: 'Đã thu hồi thiết bị', en: 'Device revoked' },
  passwordOnce: {
    vi: 'Mật khẩu chỉ hiện một lần: ghi vào tệp cấu hình của bo mạch ngay (quyền 0600).',
    en: 'The password is shown only once: put it in the board’s config file now (mode 0600).',
  },
  credentialsGone: {
    vi: 'Thông tin đăng nhập này đã được xem hoặc đã hết hạn.',
    en: 'These credentials were already shown, or have expired.',
  },
  draining: { vi: 'Đang gửi nốt sự kiện, thay bằng', en: 'Draining, replaced by' },
  drainUntil: { vi: 'thu hồi muộn nhất lúc', en: 'revoked at the latest on' },
  backToDevice: { vi: 'Về trang thiết bị', en: 'Back to the device' },
} as const satisfies Record<string, Record<Lang, string>>;

export type LifecycleKey = keyof typeof TEXT;
export type LifecycleText = (key: LifecycleKey) => string;

export function lifecycleText(lang: Lang): LifecycleText {
  return (key) => TEXT[key][lang];
}

import type { Lang } from '@onestop/protocol';

/**
 * The words of the accounts page (dashboard/src/users), joined into the dashboard's one message
 * table by `i18n.ts`. Kept beside the feature so that its words change with it.
 */
export const USER_MESSAGES = {
  users: { vi: 'Tài khoản', en: 'Accounts' },
  usersIntro: {
    vi: 'Tài khoản đăng nhập bảng điều khiển. Mỗi thao tác đều được ghi vào nhật ký quản trị.',
    en: 'Dashboard sign-in accounts. Every action is written to the audit log.',
  },
  usersIntroTechnician: {
    vi: 'Kỹ thuật viên chỉ quản lý tài khoản kỹ thuật viên.',
    en: 'Technicians manage technician accounts only.',
  },
  userAdd: { vi: 'Thêm tài khoản', en: 'Add an account' },
  userDisplayName: { vi: 'Họ và tên hiển thị', en: 'Display name' },
  userRole: { vi: 'Vai trò', en: 'Role' },
  userUnit: { vi: 'Đơn vị (cho lãnh đạo phường, xã)', en: 'Unit (for a ward leader)' },
  userOfficer: {
    vi: 'Mã cán bộ trong danh sách của đơn vị (cho tài khoản cán bộ)',
    en: "Officer ID on the unit's roster (for an officer account)",
  },
  usersEmpty: { vi: 'Không có tài khoản nào khớp bộ lọc.', en: 'No account matches the filter.' },
  userUnitShort: { vi: 'Đơn vị', en: 'Unit' },
  userAnyRole: { vi: 'Mọi vai trò', en: 'Every role' },
  userAnyUnit: { vi: 'Mọi đơn vị', en: 'Every unit' },
  userNoUnit: { vi: '(không gắn với đơn vị)', en: '(no unit)' },
  userFilter: { vi: 'Lọc', en: 'Filter' },
  userActive: { vi: 'Đang hoạt động', en: 'Active' },
  userDisabled: { vi: 'Đã khoá', en: 'Disabled' },
  userActions: { vi: 'Thao tác', en: 'Actions' },
  userNewLink: { vi: 'Cấp liên kết đăng nhập mới', en: 'Issue a new sign-in link' },
  userDisable: { vi: 'Khoá', en: 'Disable' },
  userEnable: { vi: 'Mở khoá', en: 'Enable' },
  userYou: { vi: '(bạn)', en: '(you)' },
  userDisableConfirm: {
    vi: 'Khoá tài khoản này? Mọi phiên đăng nhập và mã API của tài khoản sẽ bị huỷ ngay.',
    en: 'Disable this account? All its sessions and API tokens end at once.',
  },
  userCreate: { vi: 'Tạo tài khoản', en: 'Create the account' },
  userBackToList: { vi: 'Về danh sách tài khoản', en: 'Back to the accounts' },
  userAddHelp: {
    vi: 'Không có mật khẩu nào hiện trên trang: tài khoản mới nhận một liên kết đăng nhập dùng một lần, chỉ hiện một lần sau khi tạo.',
    en: 'No password is shown: the new account gets a one-time sign-in link, shown once after it is made.',
  },
  userLinkTitle: { vi: 'Liên kết đăng nhập cho {username}', en: 'Sign-in link for {username}' },
  userLinkOnce: {
    vi: 'Chỉ hiện một lần, dùng được một lần trong {minutes} phút. Hãy gửi cho đúng người qua kênh an toàn; tải lại trang sẽ không hiện lại.',
    en: 'Shown once, works once within {minutes} minutes. Send it to that person over a safe channel; reloading the page will not show it again.',
  },
  userAdded: { vi: 'Đã tạo tài khoản {username}.', en: 'Account {username} created.' },
  userLinkIssued: {
    vi: 'Đã cấp liên kết đăng nhập mới cho {username}.',
    en: 'A new sign-in link was issued for {username}.',
  },
  userDisabledDone: {
    vi: 'Đã khoá tài khoản {username}; mọi phiên đăng nhập và mã API của tài khoản đã bị huỷ.',
    en: 'Account {username} disabled; all its sessions and API tokens ended.',
  },
  userEnabledDone: {
    vi: 'Đã mở khoá tài khoản {username}. Hãy cấp liên kết đăng nhập mới nếu cần.',
    en: 'Account {username} enabled. Issue a new sign-in link if it is needed.',
  },
  userFormInvalid: { vi: 'Chưa tạo được tài khoản:', en: 'The account was not created:' },
  userActionRefused: { vi: 'Không thực hiện được:', en: 'Not done:' },
  userRefused_username: {
    vi: 'Tên đăng nhập chỉ gồm chữ thường không dấu, chữ số và . _ - (2–63 ký tự), bắt đầu bằng chữ hoặc số.',
    en: 'A username is lower-case letters, digits and . _ - (2–63 characters), starting with a letter or digit.',
  },
  userRefused_role: { vi: 'Hãy chọn một vai trò trong danh sách.', en: 'Choose a role from the list.' },
  userRefused_unit: {
    vi: 'Tài khoản lãnh đạo phường, xã cần chọn đơn vị mình phụ trách; các vai trò khác không gắn với đơn vị.',
    en: 'A ward leader account needs the unit it leads; other roles belong to no unit.',
  },
  userRefused_officer: {
    vi: 'Tài khoản cán bộ cần mã của một cán bộ đang có trong danh sách của đơn vị; các vai trò khác không gắn với cán bộ.',
    en: "An officer account needs the ID of an officer on a unit's roster; other roles belong to no officer.",
  },
  userRefused_password: { vi: 'Mật khẩu không hợp lệ.', en: 'The password is not valid.' },
  userRefused_exists: { vi: 'Tên đăng nhập này đã có người dùng.', en: 'This username is already taken.' },
  userRefused_self: {
    vi: 'Bạn không thể tự khoá tài khoản của mình.',
    en: 'You cannot disable your own account.',
  },
  userRefused_lastCity: {
    vi: 'Đây là tài khoản cấp thành phố cuối cùng còn hoạt động nên không thể khoá.',
    en: 'This is the last active city account, so it cannot be disabled.',
  },
  userRefused_disabled: {
    vi: 'Tài khoản này đang bị khoá: hãy mở khoá trước khi cấp liên kết đăng nhập.',
    en: 'This account is disabled: enable it before issuing a sign-in link.',
  },
  userRefused_form: {
    vi: 'Biểu mẫu thiếu hoặc thừa trường, hoặc có trường quá dài.',
    en: 'The form has missing, unknown or over-long fields.',
  },
  linkNewPassword: {
    vi: 'Mật khẩu mới (không bắt buộc, ít nhất 12 ký tự; để trống thì giữ mật khẩu cũ)',
    en: 'New password (optional, at least 12 characters; leave blank to keep the old one)',
  },
  linkNewPasswordAgain: { vi: 'Nhập lại mật khẩu mới', en: 'New password again' },
  linkPasswordShort: {
    vi: 'Mật khẩu mới cần ít nhất 12 ký tự.',
    en: 'The new password needs at least 12 characters.',
  },
  linkPasswordMismatch: {
    vi: 'Hai lần nhập mật khẩu mới không khớp nhau.',
    en: 'The two new passwords differ.',
  },
  role_city: { vi: 'Trung tâm thành phố', en: 'City centre' },
  role_ward: { vi: 'Lãnh đạo phường, xã', en: 'Ward leader' },
  role_technician: { vi: 'Kỹ thuật viên', en: 'Technician' },
  role_officer: { vi: 'Cán bộ, công chức', en: 'Officer' },
  'audit_staff.enable': { vi: 'Mở khoá tài khoản', en: 'Account enabled' },
  'audit_staff.password': { vi: 'Đặt mật khẩu mới', en: 'New password set' },
  'audit_staff.link': { vi: 'Cấp liên kết đăng nhập', en: 'Sign-in link issued' },
  'audit_staff.link.shown': {
    vi: 'Hiển thị liên kết đăng nhập để trao',
    en: 'Sign-in link shown for handover',
  },
} as const satisfies Record<string, Record<Lang, string>>;

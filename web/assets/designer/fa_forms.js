// Persian for the form-js editor. form-js has no translation service (its strings are literals), so
// on a Persian page the editor's texts — palette, properties panel, field types — are rewritten in
// place, now and whenever the editor renders them again. The designers' own labels are never touched:
// only strings of this dictionary are replaced, and only in the editor's chrome.
const FA = {
  Components: 'اجزای فرم',
  'Search components': 'جست‌وجوی اجزا',
  'No components found.': 'جزئی یافت نشد.',
  Input: 'ورودی',
  'Basic input': 'ورودی ساده',
  Selection: 'انتخاب',
  Presentation: 'نمایش',
  Containers: 'ظرف‌ها',
  Action: 'عمل',
  'Text field': 'فیلد متنی',
  'Text area': 'متن چندخطی',
  Number: 'عدد',
  'Date time': 'تاریخ و ساعت',
  Date: 'تاریخ',
  Checkbox: 'گزینهٔ تیک‌زدنی',
  'Checkbox group': 'گروه گزینه‌های تیک‌زدنی',
  'Radio group': 'گروه گزینه‌های تک‌انتخابی',
  Select: 'فهرست کشویی',
  'Tag list': 'فهرست برچسب',
  'Text view': 'متن نمایشی',
  'HTML view': 'نمای HTML',
  'Image view': 'تصویر',
  Table: 'جدول',
  'Document preview': 'پیش‌نمایش سند',
  Spacer: 'فاصله',
  Separator: 'جداکننده',
  Group: 'گروه',
  'Dynamic list': 'فهرست پویا (ردیف‌های تکرارشونده)',
  'File picker': 'انتخاب پرونده',
  Button: 'دکمه',
  Expression: 'عبارت',
  General: 'عمومی',
  Condition: 'شرط',
  Validation: 'اعتبارسنجی',
  Constraints: 'محدودیت‌ها',
  Appearance: 'ظاهر',
  Layout: 'چیدمان',
  'Custom properties': 'ویژگی‌های سفارشی',
  Serialization: 'قالب ذخیره',
  'Options source': 'منبع گزینه‌ها',
  'Static options': 'گزینه‌های ثابت',
  'Dynamic options': 'گزینه‌های پویا',
  'Options expression': 'عبارت گزینه‌ها',
  'Input values key': 'کلید مقادیر ورودی',
  'Field label': 'برچسب فیلد',
  'Field description': 'توضیح فیلد',
  Label: 'برچسب',
  Key: 'کلید',
  Value: 'مقدار',
  Text: 'متن',
  Type: 'نوع',
  Subtype: 'زیرنوع',
  'Default value': 'مقدار پیش‌فرض',
  Disabled: 'غیرفعال',
  'Read only': 'فقط خواندنی',
  Required: 'الزامی',
  'Minimum length': 'کمینهٔ طول',
  'Maximum length': 'بیشینهٔ طول',
  Minimum: 'کمینه',
  Maximum: 'بیشینه',
  'Validation pattern': 'الگوی اعتبارسنجی',
  'Custom regular expression': 'عبارت باقاعدهٔ دلخواه',
  'Custom error message': 'پیام خطای دلخواه',
  Email: 'پست الکترونیک',
  Phone: 'تلفن',
  Custom: 'دلخواه',
  'Hide if': 'پنهان شود اگر',
  Columns: 'ستون‌ها',
  Column: 'ستون',
  Auto: 'خودکار',
  Height: 'ارتفاع',
  'Vertical alignment': 'تراز عمودی',
  Top: 'بالا',
  Center: 'وسط',
  Bottom: 'پایین',
  Prefix: 'پیشوند',
  Suffix: 'پسوند',
  Increment: 'گام',
  'Decimal digits': 'رقم‌های اعشار',
  'Date label': 'برچسب تاریخ',
  'Time label': 'برچسب ساعت',
  'Time format': 'قالب ساعت',
  'Time interval': 'فاصلهٔ زمانی',
  'Disallow past dates': 'تاریخ گذشته پذیرفته نشود',
  Searchable: 'قابل جست‌وجو',
  Checked: 'تیک‌خورده',
  'Not checked': 'تیک‌نخورده',
  'Allow add/delete items': 'افزودن و حذف ردیف مجاز باشد',
  'Default number of items': 'تعداد پیش‌فرض ردیف‌ها',
  'Disable collapse': 'بدون جمع‌کردن',
  'Number of non-collapsing items': 'تعداد ردیف‌های همیشه باز',
  'Show outline': 'نمایش کادر',
  Path: 'مسیر',
  'Upload multiple files': 'بارگذاری چند پرونده',
  'Supported file formats': 'قالب‌های پذیرفته',
  'Alternative text': 'متن جایگزین',
  'Image source': 'منبع تصویر',
  Content: 'محتوا',
  'Data source': 'منبع داده',
  Pagination: 'صفحه‌بندی',
  'Number of rows per page': 'تعداد ردیف در هر صفحه',
  'Header items': 'سرستون‌ها',
  'Headers source': 'منبع سرستون‌ها',
  'Form submission': 'ارسال فرم',
  Submit: 'ارسال',
  Reset: 'بازنشانی',
  'Version tag': 'برچسب نسخه',
  'Output as string': 'خروجی به صورت متن',
  'Compute on': 'محاسبه هنگام',
  'Value changes': 'تغییر مقدار',
  'Toggle section': 'باز و بسته کردن بخش',
  'Open documentation': 'باز کردن راهنما',
  'Add new': 'افزودن ردیف',
  'Drag and drop components here to start designing.': 'برای طراحی، اجزا را به اینجا بکشید و رها کنید.',
  'Use the library on the left to add components.': 'از فهرست اجزا برای افزودن استفاده کنید.',
};

const ATTRIBUTES = ['placeholder', 'title', 'aria-label'];

function rewrite(root) {
  const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    // The canvas shows the designer's own form: leave its fields alone, translate only the chrome.
    if (node.parentElement && node.parentElement.closest('.fjs-form')) continue;
    const text = node.textContent.trim();
    if (text && FA[text]) node.textContent = node.textContent.replace(text, FA[text]);
  }
  for (const element of root.querySelectorAll(ATTRIBUTES.map((a) => `[${a}]`).join(','))) {
    for (const name of ATTRIBUTES) {
      const value = element.getAttribute(name);
      if (value && FA[value]) element.setAttribute(name, FA[value]);
    }
  }
}

export function persianFormEditor(container, locale) {
  if (locale !== 'fa') return;
  rewrite(container);
  let pending = false;
  new MutationObserver(() => {
    if (pending) return;
    pending = true;
    requestAnimationFrame(() => {
      pending = false;
      rewrite(container);
    });
  }).observe(container, { childList: true, subtree: true, characterData: true });
}

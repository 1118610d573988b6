from rest_framework.pagination import PageNumberPagination

from riskreg.core.exports import SPREADSHEET_FORMATS


class Pagination(PageNumberPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 500

    def paginate_queryset(self, queryset, request, view=None):
        # An export (?format=csv or xlsx) is the whole filtered table, not one page of it.
        if getattr(getattr(request, "accepted_renderer", None), "format", None) in SPREADSHEET_FORMATS:
            return None
        return super().paginate_queryset(queryset, request, view)
